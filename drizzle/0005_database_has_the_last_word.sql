-- The database has the last word on who, when and where in the chain.
-- * Every function the store's triggers run pins its lookups: search_path is
--   pg_catalog then pg_temp (never searched for functions, and last for
--   tables), and the store's tables are named with their schema. A login's
--   temporary table called pg_roles, operators or cis_records, or a function
--   of its own earlier on its search_path, can no longer stand in for ours.
--   None of the checks reads anything the writing login may not read itself,
--   so none needs SECURITY DEFINER.
-- * contacts: recorded_at must be the transaction's time and recorded_by the
--   session's login (contacts_accountable, with PID bindings as in 0004; a
--   restore switches this one trigger off for its own transaction). Each
--   INSERT or COPY must continue the chain: its rows' seq follow the stored
--   head without a gap, the first prev_hash is the head's hash and each next
--   one its predecessor's (contacts_chained, never switched off by the tool).
--   Both are statement-level checks over the statement's new rows.
-- * enquiries: accepted only in the transaction that inserted their contact.
-- * import_runs: recorded_by is the session's login, and only that login may
--   finish its run, once.
-- Added without its default first, as in 0004: ADD COLUMN ... DEFAULT would
-- stamp every earlier run with the login running the migration.
ALTER TABLE "import_runs" ADD COLUMN "recorded_by" text;
--> statement-breakpoint
ALTER TABLE "import_runs" ALTER COLUMN "recorded_by" SET DEFAULT session_user;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION cis_contact_refuse_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RAISE EXCEPTION 'contact history is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'record a correction as a new contact';
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION cis_contact_refuse_reference_removal() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RAISE EXCEPTION '% is reference data for the contact history: % that removes or renames an entry is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 're-import the file to update names, kinds and roles';
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION cis_contact_check_references() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  missing text;
BEGIN
  SELECT n.utr INTO missing FROM new_contacts n
    WHERE NOT EXISTS (SELECT 1 FROM public.cis_records r WHERE r.utr = n.utr) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'contact refers to CIS record %, which is not in the registry', missing
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  SELECT n.partnership_utr INTO missing FROM new_contacts n
    WHERE n.partnership_utr IS NOT NULL AND NOT EXISTS (SELECT 1 FROM public.cis_records r WHERE r.utr = n.partnership_utr) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'contact refers to partnership %, which is not in the registry', missing
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  SELECT n.operator_pid INTO missing FROM new_contacts n
    WHERE NOT EXISTS (SELECT 1 FROM public.operators o WHERE o.pid = n.operator_pid) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'contact refers to operator %, who is not in the operators list', missing
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION cis_contact_check_accountability() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  offender text;
BEGIN
  SELECT coalesce(n.recorded_by, 'nobody') INTO offender FROM new_contacts n
    WHERE n.recorded_by IS DISTINCT FROM session_user::text LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'a contact must be recorded by the login that writes it (%), not by %', session_user, offender
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  SELECT n.seq::text INTO offender FROM new_contacts n WHERE n.recorded_at IS DISTINCT FROM now() LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'contact % must be recorded at the time of the transaction that writes it (%)', offender, now()
      USING ERRCODE = 'insufficient_privilege', HINT = 'leave recorded_at to the database';
  END IF;
  IF (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = session_user) THEN
    RETURN NULL;
  END IF;
  SELECT n.operator_pid INTO offender FROM new_contacts n JOIN public.operators o ON o.pid = n.operator_pid
    WHERE cardinality(o.logins) > 0 AND NOT (session_user::text = ANY (o.logins)) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'operator PID % is bound to other database logins', offender
      USING ERRCODE = 'CC001', DETAIL = offender, HINT = 'record under your own PID, or ask an administrator to add your login to the operator';
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION cis_contact_check_chain() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  first_seq bigint;
  last_seq bigint;
  added bigint;
  head record;
  offender bigint;
BEGIN
  SELECT min(n.seq), max(n.seq), count(*) INTO first_seq, last_seq, added FROM new_contacts n;
  IF added = 0 THEN
    RETURN NULL;
  END IF;
  SELECT c.seq, c.hash INTO head FROM public.contacts c WHERE c.seq < first_seq ORDER BY c.seq DESC LIMIT 1;
  IF first_seq <> coalesce(head.seq, 0) + 1 OR last_seq - first_seq + 1 <> added
     OR last_seq <> (SELECT max(c.seq) FROM public.contacts c) THEN
    RAISE EXCEPTION 'contacts % to % do not follow the chain''s head (entry %): each new contact takes the next seq', first_seq, last_seq, coalesce(head.seq, 0)
      USING ERRCODE = 'insufficient_privilege', HINT = 'take the chain head under its lock, as cis-contact does';
  END IF;
  IF (SELECT n.prev_hash FROM new_contacts n WHERE n.seq = first_seq) IS DISTINCT FROM coalesce(head.hash, repeat('0', 64)) THEN
    RAISE EXCEPTION 'contact %''s prev_hash is not the hash of the chain''s head (entry %)', first_seq, coalesce(head.seq, 0)
      USING ERRCODE = 'insufficient_privilege', HINT = 'take the chain head under its lock, as cis-contact does';
  END IF;
  -- The seqs are known to be consecutive: each row's predecessor is the one before it in seq order
  -- (one sort; a self-join of a transition table, which has no index, would compare every pair).
  SELECT s.seq INTO offender FROM (
    SELECT n.seq, n.prev_hash, lag(n.hash) OVER (ORDER BY n.seq) AS before FROM new_contacts n) s
    WHERE s.before IS NOT NULL AND s.prev_hash IS DISTINCT FROM s.before LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'contact %''s prev_hash is not the hash of contact %', offender, offender - 1
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- A contact row is this transaction's own if its xmin is the transaction's
-- id, which is the case for every writer of the tool but a dry run's
-- savepoint. Otherwise (a savepoint's own id) the row must be visible and
-- still in progress, which only this transaction's rows can be: another
-- writer's uncommitted rows are invisible, committed ones no longer in
-- progress. age() turns the row's 32-bit xmin into a distance from this
-- transaction's id, so its full 64-bit id can be asked about. The cheap test
-- first: the second costs about five times as much a row.
CREATE FUNCTION cis_contact_check_enquiries() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  offender bigint;
  current_id xid8 := pg_current_xact_id();
  own xid := current_id::xid;
BEGIN
  SELECT n.contact_seq INTO offender FROM new_enquiries n
    WHERE NOT EXISTS (
      SELECT 1 FROM public.contacts c WHERE c.seq = n.contact_seq
        AND (c.xmin = own OR pg_xact_status((current_id::text::bigint - age(c.xmin))::text::xid8) = 'in progress'))
    LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'an enquiry may be added to contact % only in the transaction that records it', offender
      USING ERRCODE = 'insufficient_privilege', HINT = 'record a correction as a new contact';
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION cis_contact_stamp_import_run() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.recorded_by := session_user;
    RETURN NEW;
  END IF;
  IF OLD.recorded_by IS DISTINCT FROM session_user::text THEN
    RAISE EXCEPTION 'import run % was started by %: only that login may finish it', OLD.id, coalesce(OLD.recorded_by, 'an earlier version')
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.finished_at IS NOT NULL OR NEW.id IS DISTINCT FROM OLD.id OR NEW.file IS DISTINCT FROM OLD.file
     OR NEW.started_at IS DISTINCT FROM OLD.started_at OR NEW.recorded_by IS DISTINCT FROM OLD.recorded_by THEN
    RAISE EXCEPTION 'import run % may only be finished, once', OLD.id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER contacts_chained AFTER INSERT ON contacts
  REFERENCING NEW TABLE AS new_contacts
  FOR EACH STATEMENT EXECUTE FUNCTION cis_contact_check_chain();
--> statement-breakpoint
CREATE TRIGGER enquiries_with_their_contact AFTER INSERT ON enquiries
  REFERENCING NEW TABLE AS new_enquiries
  FOR EACH STATEMENT EXECUTE FUNCTION cis_contact_check_enquiries();
--> statement-breakpoint
CREATE TRIGGER import_runs_stamped BEFORE INSERT OR UPDATE ON import_runs
  FOR EACH ROW EXECUTE FUNCTION cis_contact_stamp_import_run();
--> statement-breakpoint
ALTER TABLE contacts ENABLE ALWAYS TRIGGER contacts_chained;
--> statement-breakpoint
ALTER TABLE enquiries ENABLE ALWAYS TRIGGER enquiries_with_their_contact;
--> statement-breakpoint
ALTER TABLE import_runs ENABLE ALWAYS TRIGGER import_runs_stamped;
