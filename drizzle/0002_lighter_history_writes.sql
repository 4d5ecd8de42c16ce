-- Two foreign keys that cost more than they protect, measured on a 100,000-row
-- import: each made the database look up, and lock, a parent row for every row
-- written (together a third of the server's work in an import).
-- * contacts.import_run_id says which import wrote a contact: bookkeeping, not
--   history.
-- * enquiries.contact_seq: enquiries are written only with their contact, in
--   the same transaction, by the one write path; nothing can update or delete
--   either table; `verify` reports any enquiry whose contact is not stored.
ALTER TABLE "contacts" DROP CONSTRAINT "contacts_import_run_id_import_runs_id_fk";
--> statement-breakpoint
ALTER TABLE "enquiries" DROP CONSTRAINT "enquiries_contact_fk";
