/**
 * The database schema. Lengths and enumerations are constraints too, so the
 * database refuses what the rules refuse even if some future code path skips
 * them. Contacts and enquiries are append-only: triggers in the migration
 * `drizzle/*_immutable_history.sql` refuse UPDATE, DELETE and TRUNCATE. The
 * registry and the operators are never deleted (`drizzle/0003`), so what a
 * contact refers to stays there.
 */

import { sql } from 'drizzle-orm';
import {
  PgSchema,
  bigint,
  boolean,
  char,
  check,
  date,
  index,
  integer,
  jsonb,
  primaryKey,
  smallint,
  text,
  timestamp,
  varchar,
} from 'drizzle-orm/pg-core';
import {
  AUTHENTICATIONS,
  CHANNELS,
  CONTACT_TYPES,
  DIRECTIONS,
  LIMITS,
  RECORD_KINDS,
  SCHEME_START,
  SUBJECTS,
} from '../domain/vocabulary.js';
import type { RolePeriod } from '../domain/operator-roles.js';

/**
 * The tables' schema, named in every statement drizzle writes (`"public"."contacts"`): the tool's
 * transactions leave `public` off the search path (transaction-settings.ts). drizzle's `pgSchema()`
 * refuses the name `public`; its class does not.
 */
const pgTable = new PgSchema('public').table;

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '));

export const cisRecords = pgTable(
  'cis_records',
  {
    utr: char('utr', { length: 10 }).primaryKey(),
    name: varchar('name', { length: LIMITS.recordName }).notNull(),
    kind: varchar('kind', { length: 13 }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('cis_records_utr_digits', sql`${t.utr} ~ '^[0-9]{10}$'`),
    check('cis_records_kind_valid', sql`${t.kind} in (${inList(RECORD_KINDS)})`),
    check('cis_records_name_present', sql`${t.name} <> ''`),
  ],
);

export const partnershipMembers = pgTable(
  'partnership_members',
  {
    partnershipUtr: char('partnership_utr', { length: 10 })
      .notNull()
      .references(() => cisRecords.utr),
    partnerUtr: char('partner_utr', { length: 10 })
      .notNull()
      .references(() => cisRecords.utr),
  },
  (t) => [
    primaryKey({ columns: [t.partnershipUtr, t.partnerUtr] }),
    index('partnership_members_partner').on(t.partnerUtr),
    check('partnership_members_not_self', sql`${t.partnershipUtr} <> ${t.partnerUtr}`),
  ],
);

export const operators = pgTable(
  'operators',
  {
    pid: char('pid', { length: 7 }).primaryKey(),
    name: text('name').notNull(),
    roles: text('roles').array().notNull(),
    /** Database logins allowed to record under the PID; empty: anyone who may record. Enforced by a trigger (drizzle/0004). */
    logins: text('logins')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * Roles held between dates (`[{"roles": [...], "from": "YYYY-MM-DD" | null, "to": ...}]`), beside
     * `roles`, which are held always; a contact is checked against the roles held on its enquiry date.
     */
    rolePeriods: jsonb('role_periods')
      .$type<RolePeriod[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    /** The last day of service: no role is held after it. Null: still serving. */
    leftOn: date('left_on', { mode: 'string' }),
  },
  (t) => [
    check('operators_pid_digits', sql`${t.pid} ~ '^[0-9]{7}$'`),
    check('operators_name_present', sql`${t.name} <> ''`),
    check('operators_role_periods_list', sql`jsonb_typeof(${t.rolePeriods}) = 'array'`),
  ],
);

export const importRuns = pgTable('import_runs', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  file: text('file').notNull(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
  summary: jsonb('summary'),
  /** The login that started the run; only it may finish it (drizzle/0005). Null on runs started before. */
  recordedBy: text('recorded_by').default(sql`session_user`),
});

/**
 * One contact on one CIS record. `seq` is the gap-free audit chain position and
 * the contact's id; writers assign it holding the chain lock (`chainHeadLock`).
 */
export const contacts = pgTable(
  'contacts',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    sourceKey: text('source_key').notNull().unique('contacts_source_key_unique'),
    contentHash: char('content_hash', { length: 32 }).notNull(),
    /** Must be in the registry: checked per statement, not per row, by a trigger (see drizzle/0003). */
    utr: char('utr', { length: 10 }).notNull(),
    partnershipUtr: char('partnership_utr', { length: 10 }),
    contactType: varchar('contact_type', { length: 13 }),
    contactName: varchar('contact_name', { length: LIMITS.contactName }),
    channel: varchar('channel', { length: 16 }).notNull(),
    direction: varchar('direction', { length: 8 }).notNull(),
    authentication: varchar('authentication', { length: 13 }),
    enquiryDate: date('enquiry_date', { mode: 'string' }).notNull(),
    operatorPid: char('operator_pid', { length: 7 }).notNull(),
    /** Which import wrote the contact. Bookkeeping, so not a foreign key (see drizzle/0002). */
    importRunId: integer('import_run_id'),
    /**
     * Taken by the writer under the chain lock (the transaction's
     * `cis_contact.recorded_at`); never earlier than the entry before, nor than
     * its statement by more than seconds (drizzle/0008).
     */
    recordedAt: timestamp('recorded_at', { withTimezone: true, precision: 6 })
      .notNull()
      .default(sql`coalesce(nullif(current_setting('cis_contact.recorded_at', true), '')::timestamptz, now())`),
    /**
     * The database login that wrote the contact. Null only on contacts stored
     * before it was kept; a trigger (drizzle/0004) refuses any other value than
     * the writing session's own login.
     */
    recordedBy: text('recorded_by').default(sql`session_user`),
    prevHash: char('prev_hash', { length: 64 }).notNull(),
    hash: char('hash', { length: 64 }).notNull(),
  },
  (t) => [
    index('contacts_utr_date').on(t.utr, t.enquiryDate),
    check('contacts_seq_positive', sql`${t.seq} > 0`),
    check('contacts_contact_type_valid', sql`${t.contactType} in (${inList(CONTACT_TYPES)})`),
    check('contacts_channel_valid', sql`${t.channel} in (${inList(CHANNELS)})`),
    check('contacts_direction_valid', sql`${t.direction} in (${inList(DIRECTIONS)})`),
    check(
      'contacts_direction_matches_channel',
      sql`not (${t.channel} in ('internal-enquiry', 'phone-outbound') and ${t.direction} <> 'Outbound') and not (${t.channel} = 'phone-inbound' and ${t.direction} <> 'Inbound')`,
    ),
    check('contacts_authentication_valid', sql`${t.authentication} in (${inList(AUTHENTICATIONS)})`),
    check(
      'contacts_customer_side_present',
      sql`${t.channel} = 'internal-enquiry' or (${t.contactType} is not null and ${t.contactName} is not null and ${t.authentication} is not null)`,
    ),
    check('contacts_date_in_scheme', sql`${t.enquiryDate} >= date ${sql.raw(`'${SCHEME_START}'`)}`),
  ],
);

/**
 * A contact's enquiries. `contact_seq` is not a foreign key (see drizzle/0002):
 * enquiries are written only with their contact, in one transaction, and
 * `verify` reports any enquiry whose contact is not stored.
 */
export const enquiries = pgTable(
  'enquiries',
  {
    contactSeq: bigint('contact_seq', { mode: 'number' }).notNull(),
    position: smallint('position').notNull(),
    subject: varchar('subject', { length: 17 }).notNull(),
    actionTaken: varchar('action_taken', { length: LIMITS.actionTaken }),
    generalNotes: varchar('general_notes', { length: LIMITS.generalNotes }),
  },
  (t) => [
    primaryKey({ columns: [t.contactSeq, t.position] }),
    check('enquiries_position_positive', sql`${t.position} > 0`),
    check('enquiries_subject_valid', sql`${t.subject} in (${inList(SUBJECTS)})`),
    check('enquiries_other_has_action', sql`${t.subject} <> 'Other' or ${t.actionTaken} is not null`),
  ],
);

/**
 * One row each, locked FOR UPDATE (which needs UPDATE on the table): the chain
 * head by the roles that write contacts, the migrations by the store's owner.
 * No other role may lock them, so none can stop a writer (drizzle/0008).
 */
export const chainHeadLock = pgTable(
  'chain_head_lock',
  {
    held: boolean('held').primaryKey().default(true),
  },
  (t) => [check('chain_head_lock_held_check', sql`${t.held}`)],
);

export const migrationLock = pgTable(
  'migration_lock',
  {
    held: boolean('held').primaryKey().default(true),
  },
  (t) => [check('migration_lock_held_check', sql`${t.held}`)],
);
