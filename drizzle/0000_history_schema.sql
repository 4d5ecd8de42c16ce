CREATE TABLE "cis_records" (
	"utr" char(10) PRIMARY KEY NOT NULL,
	"name" varchar(160) NOT NULL,
	"kind" varchar(13) NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cis_records_utr_digits" CHECK ("cis_records"."utr" ~ '^[0-9]{10}$'),
	CONSTRAINT "cis_records_kind_valid" CHECK ("cis_records"."kind" in ('contractor', 'subcontractor', 'partnership')),
	CONSTRAINT "cis_records_name_present" CHECK ("cis_records"."name" <> '')
);
--> statement-breakpoint
CREATE TABLE "contacts" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"source_key" text NOT NULL,
	"content_hash" char(32) NOT NULL,
	"utr" char(10) NOT NULL,
	"partnership_utr" char(10),
	"contact_type" varchar(13),
	"contact_name" varchar(100),
	"channel" varchar(16) NOT NULL,
	"direction" varchar(8) NOT NULL,
	"authentication" varchar(13),
	"enquiry_date" date NOT NULL,
	"operator_pid" char(7) NOT NULL,
	"import_run_id" integer,
	"recorded_at" timestamp (6) with time zone DEFAULT now() NOT NULL,
	"prev_hash" char(64) NOT NULL,
	"hash" char(64) NOT NULL,
	CONSTRAINT "contacts_source_key_unique" UNIQUE("source_key"),
	CONSTRAINT "contacts_seq_positive" CHECK ("contacts"."seq" > 0),
	CONSTRAINT "contacts_contact_type_valid" CHECK ("contacts"."contact_type" in ('contractor', 'subcontractor', 'agent', 'capacitor', 'third party')),
	CONSTRAINT "contacts_channel_valid" CHECK ("contacts"."channel" in ('phone-inbound', 'phone-outbound', 'face-to-face', 'letter', 'email', 'fax', 'internal-enquiry')),
	CONSTRAINT "contacts_direction_valid" CHECK ("contacts"."direction" in ('Inbound', 'Outbound')),
	CONSTRAINT "contacts_direction_matches_channel" CHECK (not ("contacts"."channel" in ('internal-enquiry', 'phone-outbound') and "contacts"."direction" <> 'Outbound') and not ("contacts"."channel" = 'phone-inbound' and "contacts"."direction" <> 'Inbound')),
	CONSTRAINT "contacts_authentication_valid" CHECK ("contacts"."authentication" in ('authenticated', 'waived')),
	CONSTRAINT "contacts_customer_side_present" CHECK ("contacts"."channel" = 'internal-enquiry' or ("contacts"."contact_type" is not null and "contacts"."contact_name" is not null and "contacts"."authentication" is not null)),
	CONSTRAINT "contacts_date_in_scheme" CHECK ("contacts"."enquiry_date" >= date '2008-04-06')
);
--> statement-breakpoint
CREATE TABLE "enquiries" (
	"contact_seq" bigint NOT NULL,
	"position" smallint NOT NULL,
	"subject" varchar(17) NOT NULL,
	"action_taken" varchar(100),
	"general_notes" varchar(512),
	CONSTRAINT "enquiries_contact_seq_position_pk" PRIMARY KEY("contact_seq","position"),
	CONSTRAINT "enquiries_position_positive" CHECK ("enquiries"."position" > 0),
	CONSTRAINT "enquiries_subject_valid" CHECK ("enquiries"."subject" in ('Internal Referral', 'Letter', 'Callback', 'Complaint', 'Other')),
	CONSTRAINT "enquiries_other_has_action" CHECK ("enquiries"."subject" <> 'Other' or "enquiries"."action_taken" is not null)
);
--> statement-breakpoint
CREATE TABLE "import_runs" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "import_runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"file" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"summary" jsonb
);
--> statement-breakpoint
CREATE TABLE "operators" (
	"pid" char(7) PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"roles" text[] NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "operators_pid_digits" CHECK ("operators"."pid" ~ '^[0-9]{7}$'),
	CONSTRAINT "operators_name_present" CHECK ("operators"."name" <> '')
);
--> statement-breakpoint
CREATE TABLE "partnership_members" (
	"partnership_utr" char(10) NOT NULL,
	"partner_utr" char(10) NOT NULL,
	CONSTRAINT "partnership_members_partnership_utr_partner_utr_pk" PRIMARY KEY("partnership_utr","partner_utr"),
	CONSTRAINT "partnership_members_not_self" CHECK ("partnership_members"."partnership_utr" <> "partnership_members"."partner_utr")
);
--> statement-breakpoint
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_utr_cis_records_utr_fk" FOREIGN KEY ("utr") REFERENCES "public"."cis_records"("utr") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_partnership_utr_cis_records_utr_fk" FOREIGN KEY ("partnership_utr") REFERENCES "public"."cis_records"("utr") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_operator_pid_operators_pid_fk" FOREIGN KEY ("operator_pid") REFERENCES "public"."operators"("pid") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_import_run_id_import_runs_id_fk" FOREIGN KEY ("import_run_id") REFERENCES "public"."import_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enquiries" ADD CONSTRAINT "enquiries_contact_fk" FOREIGN KEY ("contact_seq") REFERENCES "public"."contacts"("seq") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partnership_members" ADD CONSTRAINT "partnership_members_partnership_utr_cis_records_utr_fk" FOREIGN KEY ("partnership_utr") REFERENCES "public"."cis_records"("utr") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partnership_members" ADD CONSTRAINT "partnership_members_partner_utr_cis_records_utr_fk" FOREIGN KEY ("partner_utr") REFERENCES "public"."cis_records"("utr") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "contacts_utr_date" ON "contacts" USING btree ("utr","enquiry_date");--> statement-breakpoint
CREATE INDEX "partnership_members_partner" ON "partnership_members" USING btree ("partner_utr");