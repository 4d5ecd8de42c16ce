-- Only a client of the store's own schema version may write to it.
-- A client hashes what it knows of a contact; a column added by a later
-- migration is filled from its default behind an older client's back, so the
-- entry it stores would be reported altered by the current verify, for ever.
-- Every writing transaction of cis-contact declares its client's version
-- (SET LOCAL cis_contact.schema_version, see src/storage/client-version.ts),
-- and these statement-level checks refuse a write whose declared version is
-- missing or not the store's: the number of migrations applied, as bookkept
-- by the migrator. A later migration therefore needs no change here: applying
-- it raises the store's version, and every client behind it is refused.
-- The refusal's SQLSTATE CC002 lets the client say it in its own words.
-- ENABLE ALWAYS, as the other checks: session_replication_role does not skip it.
CREATE FUNCTION cis_contact_check_client_version() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  declared text := current_setting('cis_contact.schema_version', true);
  store_version bigint;
BEGIN
  SELECT count(*) INTO store_version FROM drizzle.__drizzle_migrations;
  IF declared IS NULL OR declared = '' THEN
    RAISE EXCEPTION 'this store is at schema version %, and the program writing to % declared no version: it is older than the store', store_version, TG_TABLE_NAME
      USING ERRCODE = 'CC002', DETAIL = format('store %s, client none', store_version),
            HINT = 'upgrade cis-contact on the machine that ran this, then run the same command again';
  END IF;
  IF declared IS DISTINCT FROM store_version::text THEN
    RAISE EXCEPTION 'this store is at schema version %, and the program writing to % is at version %', store_version, TG_TABLE_NAME, declared
      USING ERRCODE = 'CC002', DETAIL = format('store %s, client %s', store_version, declared),
            HINT = 'a client behind the store must be upgraded; a store behind the client is upgraded by its administrator with cis-contact db migrate';
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER contacts_client_version BEFORE INSERT ON contacts
  FOR EACH STATEMENT EXECUTE FUNCTION cis_contact_check_client_version();
--> statement-breakpoint
CREATE TRIGGER enquiries_client_version BEFORE INSERT ON enquiries
  FOR EACH STATEMENT EXECUTE FUNCTION cis_contact_check_client_version();
--> statement-breakpoint
CREATE TRIGGER import_runs_client_version BEFORE INSERT OR UPDATE ON import_runs
  FOR EACH STATEMENT EXECUTE FUNCTION cis_contact_check_client_version();
--> statement-breakpoint
CREATE TRIGGER cis_records_client_version BEFORE INSERT OR UPDATE ON cis_records
  FOR EACH STATEMENT EXECUTE FUNCTION cis_contact_check_client_version();
--> statement-breakpoint
CREATE TRIGGER partnership_members_client_version BEFORE INSERT OR UPDATE ON partnership_members
  FOR EACH STATEMENT EXECUTE FUNCTION cis_contact_check_client_version();
--> statement-breakpoint
CREATE TRIGGER operators_client_version BEFORE INSERT OR UPDATE ON operators
  FOR EACH STATEMENT EXECUTE FUNCTION cis_contact_check_client_version();
--> statement-breakpoint
ALTER TABLE contacts ENABLE ALWAYS TRIGGER contacts_client_version;
--> statement-breakpoint
ALTER TABLE enquiries ENABLE ALWAYS TRIGGER enquiries_client_version;
--> statement-breakpoint
ALTER TABLE import_runs ENABLE ALWAYS TRIGGER import_runs_client_version;
--> statement-breakpoint
ALTER TABLE cis_records ENABLE ALWAYS TRIGGER cis_records_client_version;
--> statement-breakpoint
ALTER TABLE partnership_members ENABLE ALWAYS TRIGGER partnership_members_client_version;
--> statement-breakpoint
ALTER TABLE operators ENABLE ALWAYS TRIGGER operators_client_version;
