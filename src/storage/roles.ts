/** The group roles of a PostgreSQL server store, one per job (see access.ts for their grants). */
export const ROLES = {
  auditor: 'cis_contact_auditor',
  recorder: 'cis_contact_recorder',
  admin: 'cis_contact_admin',
} as const;

export type AccessRole = (typeof ROLES)[keyof typeof ROLES];
