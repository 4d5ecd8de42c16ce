/** Advisory lock keys, one place so two features never share one by accident. */
export const LOCK_KEYS = {
  /** Held while migrating. */
  migrations: 7_201_901,
  /** The audit chain head: every writer of contacts holds it for its transaction. */
  chainHead: 7_201_902,
} as const;
