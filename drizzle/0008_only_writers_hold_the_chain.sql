-- Only writers hold the chain; time only moves forward; import runs are the
-- database's.
-- * The chain head and the migrations were serialised by advisory locks on
--   fixed keys, which any login (an auditor included) could take and hold.
--   Each is now the one row of a table locked with SELECT ... FOR UPDATE,
--   which needs UPDATE on the table: chain_head_lock is granted to the roles
--   that may insert contacts, migration_lock only to its owner (the admin
--   role). Every other grantee, such as an auditor given SELECT on every new
--   table by default privileges, is left nothing on either.
-- * recorded_at: no longer the transaction's start (a transaction left open
--   could back-date an entry). A new contact's time is never earlier than the
--   entry before it, never later than the moment it is checked, and never
--   earlier than its statement's start by more than 5 seconds. The tool takes
--   the time under the chain lock and hands it to the column's default
--   through the transaction's cis_contact.recorded_at setting.
-- * import_runs: a new run's id comes from its sequence whatever the client
--   sends (OVERRIDING SYSTEM VALUE included), skipping ids already taken; its
--   started_at is the database's; it starts unfinished with no summary.
CREATE TABLE "chain_head_lock" (
  "held" boolean PRIMARY KEY DEFAULT true CHECK ("held")
);
--> statement-breakpoint
INSERT INTO "chain_head_lock" DEFAULT VALUES;
--> statement-breakpoint
CREATE TABLE "migration_lock" (
  "held" boolean PRIMARY KEY DEFAULT true CHECK ("held")
);
--> statement-breakpoint
INSERT INTO "migration_lock" DEFAULT VALUES;
--> statement-breakpoint
-- Who may lock: whoever may insert contacts (the chain), the owner alone (migrations).
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT DISTINCT a.grantee::regrole::text AS name FROM pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a
    WHERE c.oid IN ('public.chain_head_lock'::regclass, 'public.migration_lock'::regclass) AND a.grantee <> c.relowner AND a.grantee <> 0 LOOP
    EXECUTE format('REVOKE ALL ON public.chain_head_lock, public.migration_lock FROM %s', r.name);
  END LOOP;
  REVOKE ALL ON public.chain_head_lock, public.migration_lock FROM PUBLIC;
  FOR r IN SELECT DISTINCT a.grantee::regrole::text AS name FROM pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a
    WHERE c.oid = 'public.contacts'::regclass AND a.privilege_type = 'INSERT' AND a.grantee <> c.relowner AND a.grantee <> 0 LOOP
    EXECUTE format('GRANT SELECT, UPDATE ON public.chain_head_lock TO %s', r.name);
  END LOOP;
END $$;
--> statement-breakpoint
ALTER TABLE "contacts" ALTER COLUMN "recorded_at"
  SET DEFAULT coalesce(nullif(current_setting('cis_contact.recorded_at', true), '')::timestamptz, now());
--> statement-breakpoint
CREATE OR REPLACE FUNCTION cis_contact_check_accountability() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  offender text;
  first_seq bigint;
  before_first timestamptz;
BEGIN
  SELECT coalesce(n.recorded_by, 'nobody') INTO offender FROM new_contacts n
    WHERE n.recorded_by IS DISTINCT FROM session_user::text LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'a contact must be recorded by the login that writes it (%), not by %', session_user, offender
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  SELECT n.seq::text INTO offender FROM new_contacts n
    WHERE n.recorded_at IS NULL OR n.recorded_at > clock_timestamp() OR n.recorded_at < statement_timestamp() - interval '5 seconds' LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'contact % must be recorded at the time it is stored: not later, nor more than 5 seconds before its statement began (%)', offender, statement_timestamp()
      USING ERRCODE = 'insufficient_privilege', HINT = 'take the time under the chain lock (clock_timestamp()), as cis-contact does';
  END IF;
  SELECT min(n.seq) INTO first_seq FROM new_contacts n;
  SELECT c.recorded_at INTO before_first FROM public.contacts c WHERE c.seq < first_seq ORDER BY c.seq DESC LIMIT 1;
  SELECT s.seq::text INTO offender FROM (
    SELECT n.seq, n.recorded_at, coalesce(lag(n.recorded_at) OVER (ORDER BY n.seq), before_first) AS before FROM new_contacts n) s
    WHERE s.recorded_at < s.before LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'contact % may not be recorded earlier than the entry before it', offender
      USING ERRCODE = 'insufficient_privilege', HINT = 'take the time under the chain lock (clock_timestamp()), as cis-contact does';
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
-- SECURITY DEFINER: taking the next id calls nextval on the run's sequence,
-- which the inserting login is not granted (so it cannot burn ids at will).
CREATE OR REPLACE FUNCTION cis_contact_stamp_import_run() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.finished_at IS NOT NULL OR NEW.summary IS NOT NULL THEN
      RAISE EXCEPTION 'an import run starts unfinished, with no summary'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    LOOP
      NEW.id := nextval(pg_get_serial_sequence('public.import_runs', 'id'));
      EXIT WHEN NOT EXISTS (SELECT 1 FROM public.import_runs r WHERE r.id = NEW.id);
    END LOOP;
    NEW.started_at := now();
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
