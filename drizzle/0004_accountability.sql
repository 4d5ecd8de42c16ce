-- Who wrote each contact, and PIDs bound to database logins.
-- * contacts.recorded_by: the login of the session that wrote the contact.
--   Null only on contacts stored before this migration; the audit chain covers
--   it from the first contact that has it, so older entries verify as before.
-- * operators.logins: the logins allowed to record under the PID; empty means
--   anyone who may record.
-- One statement-level check over each INSERT or COPY's new rows (like the
-- reference check of 0003, so a million-row import pays for one query, not a
-- million trigger calls) refuses a contact whose recorded_by is not the
-- writing session's own login, and a contact under a PID bound to other
-- logins. A superuser is not held to bindings: PostgreSQL lets a superuser
-- switch any trigger off, so the database cannot bind one; the embedded
-- store's only user is a superuser. The trigger is ENABLE ALWAYS, as in 0001.
-- Added without its default first: ADD COLUMN ... DEFAULT would stamp every
-- stored contact with the login running the migration, and break their chain.
ALTER TABLE "contacts" ADD COLUMN "recorded_by" text;
--> statement-breakpoint
ALTER TABLE "contacts" ALTER COLUMN "recorded_by" SET DEFAULT session_user;
--> statement-breakpoint
ALTER TABLE "operators" ADD COLUMN "logins" text[] DEFAULT '{}'::text[] NOT NULL;
--> statement-breakpoint
CREATE FUNCTION cis_contact_check_accountability() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  offender text;
BEGIN
  SELECT coalesce(n.recorded_by, 'nobody') INTO offender FROM new_contacts n
    WHERE n.recorded_by IS DISTINCT FROM session_user::text LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'a contact must be recorded by the login that writes it (%), not by %', session_user, offender
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user) THEN
    RETURN NULL;
  END IF;
  SELECT n.operator_pid INTO offender FROM new_contacts n JOIN operators o ON o.pid = n.operator_pid
    WHERE cardinality(o.logins) > 0 AND NOT (session_user::text = ANY (o.logins)) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'operator PID % is bound to other database logins', offender
      USING ERRCODE = 'CC001', DETAIL = offender, HINT = 'record under your own PID, or ask an administrator to add your login to the operator';
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER contacts_accountable AFTER INSERT ON contacts
  REFERENCING NEW TABLE AS new_contacts
  FOR EACH STATEMENT EXECUTE FUNCTION cis_contact_check_accountability();
--> statement-breakpoint
ALTER TABLE contacts ENABLE ALWAYS TRIGGER contacts_accountable;
