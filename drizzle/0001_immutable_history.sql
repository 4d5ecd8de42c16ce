-- Contact History is append-only (CISR90270): once saved, a contact and its
-- enquiries can never be edited or deleted. The database itself refuses, for
-- every role including the owner, so no code path can break it. The triggers
-- are ENABLE ALWAYS so that session_replication_role = replica does not skip
-- them either; only an explicit ALTER TABLE ... DISABLE TRIGGER by the owner
-- or a superuser can, and the audit chain (verify) exposes what that changes.
CREATE FUNCTION cis_contact_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'contact history is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'record a correction as a new contact';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER contacts_refuse_update_delete BEFORE UPDATE OR DELETE ON contacts
  FOR EACH ROW EXECUTE FUNCTION cis_contact_refuse_change();
--> statement-breakpoint
CREATE TRIGGER contacts_refuse_truncate BEFORE TRUNCATE ON contacts
  FOR EACH STATEMENT EXECUTE FUNCTION cis_contact_refuse_change();
--> statement-breakpoint
CREATE TRIGGER enquiries_refuse_update_delete BEFORE UPDATE OR DELETE ON enquiries
  FOR EACH ROW EXECUTE FUNCTION cis_contact_refuse_change();
--> statement-breakpoint
CREATE TRIGGER enquiries_refuse_truncate BEFORE TRUNCATE ON enquiries
  FOR EACH STATEMENT EXECUTE FUNCTION cis_contact_refuse_change();
--> statement-breakpoint
ALTER TABLE contacts ENABLE ALWAYS TRIGGER contacts_refuse_update_delete;
--> statement-breakpoint
ALTER TABLE contacts ENABLE ALWAYS TRIGGER contacts_refuse_truncate;
--> statement-breakpoint
ALTER TABLE enquiries ENABLE ALWAYS TRIGGER enquiries_refuse_update_delete;
--> statement-breakpoint
ALTER TABLE enquiries ENABLE ALWAYS TRIGGER enquiries_refuse_truncate;
