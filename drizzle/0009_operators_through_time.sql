-- Operators through time: the roles an operator held between dates, and the
-- last day of service, so that a contact is checked against the roles held on
-- its enquiry date (a leaver's or a changed operator's history imports, and
-- no one gains a recording role today to let it through).
-- * operators.role_periods: `[{"roles": [...], "from": "YYYY-MM-DD" | null,
--   "to": ...}]`, both days included, beside `roles`, which are held always;
-- * operators.left_on: the last day of service; null while serving.
-- Every operator stored before holds its roles always and has not left, as
-- files without dates meant: the default says so, and nothing else changes.
-- The database holds no rule on roles (the tool checks them against the
-- enquiry date); it keeps the periods a list.
ALTER TABLE "operators" ADD COLUMN "role_periods" jsonb DEFAULT '[]'::jsonb NOT NULL;
--> statement-breakpoint
ALTER TABLE "operators" ADD COLUMN "left_on" date;
--> statement-breakpoint
ALTER TABLE "operators" ADD CONSTRAINT "operators_role_periods_list" CHECK (jsonb_typeof("operators"."role_periods") = 'array');
