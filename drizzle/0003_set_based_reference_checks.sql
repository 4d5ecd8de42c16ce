-- A contact names a CIS record (utr, partnership_utr) and an operator
-- (operator_pid) that must exist. Foreign keys checked that row by row, each
-- with a look-up and a lock on the parent row. The same rule, kept with less
-- work (measured on 100,000 rows: the contacts COPY took 13-18% less server
-- CPU, and whole imports ran 9-25% faster on both drivers):
-- * the registry and the operators are reference data that is updated and
--   added to, never removed (SPEC 2.2, 2.3): the database refuses DELETE,
--   TRUNCATE and a change of key, so what a contact refers to stays there
--   (an update that leaves the key alone fires no trigger at all);
-- * each INSERT or COPY into contacts checks all its new rows in one set-based
--   query over the statement's transition table, and fails naming the first
--   missing reference (SQLSTATE 23503, like a foreign key).
-- Triggers are ENABLE ALWAYS, as in 0001.
CREATE FUNCTION cis_contact_refuse_reference_removal() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is reference data for the contact history: % that removes or renames an entry is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 're-import the file to update names, kinds and roles';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER cis_records_refuse_delete BEFORE DELETE ON cis_records
  FOR EACH ROW EXECUTE FUNCTION cis_contact_refuse_reference_removal();
--> statement-breakpoint
CREATE TRIGGER cis_records_refuse_rekey BEFORE UPDATE OF utr ON cis_records
  FOR EACH ROW WHEN (OLD.utr IS DISTINCT FROM NEW.utr) EXECUTE FUNCTION cis_contact_refuse_reference_removal();
--> statement-breakpoint
CREATE TRIGGER cis_records_refuse_truncate BEFORE TRUNCATE ON cis_records
  FOR EACH STATEMENT EXECUTE FUNCTION cis_contact_refuse_reference_removal();
--> statement-breakpoint
CREATE TRIGGER operators_refuse_delete BEFORE DELETE ON operators
  FOR EACH ROW EXECUTE FUNCTION cis_contact_refuse_reference_removal();
--> statement-breakpoint
CREATE TRIGGER operators_refuse_rekey BEFORE UPDATE OF pid ON operators
  FOR EACH ROW WHEN (OLD.pid IS DISTINCT FROM NEW.pid) EXECUTE FUNCTION cis_contact_refuse_reference_removal();
--> statement-breakpoint
CREATE TRIGGER operators_refuse_truncate BEFORE TRUNCATE ON operators
  FOR EACH STATEMENT EXECUTE FUNCTION cis_contact_refuse_reference_removal();
--> statement-breakpoint
CREATE FUNCTION cis_contact_check_references() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  missing text;
BEGIN
  SELECT n.utr INTO missing FROM new_contacts n
    WHERE NOT EXISTS (SELECT 1 FROM cis_records r WHERE r.utr = n.utr) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'contact refers to CIS record %, which is not in the registry', missing
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  SELECT n.partnership_utr INTO missing FROM new_contacts n
    WHERE n.partnership_utr IS NOT NULL AND NOT EXISTS (SELECT 1 FROM cis_records r WHERE r.utr = n.partnership_utr) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'contact refers to partnership %, which is not in the registry', missing
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  SELECT n.operator_pid INTO missing FROM new_contacts n
    WHERE NOT EXISTS (SELECT 1 FROM operators o WHERE o.pid = n.operator_pid) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'contact refers to operator %, who is not in the operators list', missing
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER contacts_references_exist AFTER INSERT ON contacts
  REFERENCING NEW TABLE AS new_contacts
  FOR EACH STATEMENT EXECUTE FUNCTION cis_contact_check_references();
--> statement-breakpoint
ALTER TABLE cis_records ENABLE ALWAYS TRIGGER cis_records_refuse_delete;
--> statement-breakpoint
ALTER TABLE cis_records ENABLE ALWAYS TRIGGER cis_records_refuse_rekey;
--> statement-breakpoint
ALTER TABLE cis_records ENABLE ALWAYS TRIGGER cis_records_refuse_truncate;
--> statement-breakpoint
ALTER TABLE operators ENABLE ALWAYS TRIGGER operators_refuse_delete;
--> statement-breakpoint
ALTER TABLE operators ENABLE ALWAYS TRIGGER operators_refuse_rekey;
--> statement-breakpoint
ALTER TABLE operators ENABLE ALWAYS TRIGGER operators_refuse_truncate;
--> statement-breakpoint
ALTER TABLE contacts ENABLE ALWAYS TRIGGER contacts_references_exist;
--> statement-breakpoint
ALTER TABLE "contacts" DROP CONSTRAINT "contacts_utr_cis_records_utr_fk";
--> statement-breakpoint
ALTER TABLE "contacts" DROP CONSTRAINT "contacts_partnership_utr_cis_records_utr_fk";
--> statement-breakpoint
ALTER TABLE "contacts" DROP CONSTRAINT "contacts_operator_pid_operators_pid_fk";
