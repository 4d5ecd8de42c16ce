-- The database refuses what the tool refuses, where the rule needs no outside
-- knowledge, so that a recorder's plain SQL cannot store what the manual
-- forbids:
-- * no control character, bidi control or other invisible format character
--   (Unicode category Cf) in a contact's source_key or contact_name, nor in an
--   enquiry's action_taken; general_notes may hold line breaks and tabs. The
--   list is src/domain/text.ts's (a test holds the two to each other);
-- * no contact on a partnership's own UTR (CISR90270: a partnership holds no
--   notes; its contacts are recorded on each partner);
-- * no enquiry dated after the day it was recorded, in Europe/London.
-- Added NOT VALID: entries stored before stay as they are (nothing stored is
-- ever changed); `verify` reports any such entry as forbidden, with its writer.
-- The function pins standard_conforming_strings too: its pattern's
-- backslashes are the regular expression's, whatever the session says.
CREATE FUNCTION public.cis_contact_plain_text(value text, multiline boolean) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp SET standard_conforming_strings = on AS $$
  SELECT value IS NULL OR value !~ (CASE WHEN multiline
    THEN '[\u0001-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]'
    ELSE '[\u0001-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]'
    END)
$$;
--> statement-breakpoint
ALTER TABLE public.contacts ADD CONSTRAINT contacts_plain_text
  CHECK (public.cis_contact_plain_text(source_key, false) AND public.cis_contact_plain_text(contact_name, false)) NOT VALID;
--> statement-breakpoint
ALTER TABLE public.enquiries ADD CONSTRAINT enquiries_plain_text
  CHECK (public.cis_contact_plain_text(action_taken, false) AND public.cis_contact_plain_text(general_notes, true)) NOT VALID;
--> statement-breakpoint
ALTER TABLE public.contacts ADD CONSTRAINT contacts_not_after_recorded
  CHECK (enquiry_date <= (recorded_at AT TIME ZONE 'Europe/London')::date) NOT VALID;
--> statement-breakpoint
CREATE FUNCTION cis_contact_check_not_partnership() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  offender text;
BEGIN
  SELECT n.utr INTO offender FROM new_contacts n
    JOIN public.cis_records r ON r.utr = n.utr WHERE r.kind = 'partnership' LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'contact on % refused: % is a partnership, which holds no contact notes (CISR90270)', offender, offender
      USING ERRCODE = 'check_violation', HINT = 'record the contact on each partner''s own UTR, as cis-contact does';
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER contacts_not_on_partnership AFTER INSERT ON contacts
  REFERENCING NEW TABLE AS new_contacts
  FOR EACH STATEMENT EXECUTE FUNCTION cis_contact_check_not_partnership();
--> statement-breakpoint
ALTER TABLE contacts ENABLE ALWAYS TRIGGER contacts_not_on_partnership;
