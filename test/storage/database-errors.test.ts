/**
 * A storage failure prints its code's catalogue template, rendered with the
 * fields the template documents, so what the tool says when a server or disk
 * fails is what `cis-contact codes` and docs/codes.md show for that code.
 * Driver errors are stand-ins with the driver's codes: no server is needed.
 */

import { describe, expect, it } from 'vitest';
import { CATALOGUE, type IssueCode, type IssueParams } from '../../src/domain/catalogue.js';
import type { CisError } from '../../src/domain/errors.js';
import { asStorageFailure, noStoreAt, permissionDenied, readerLost } from '../../src/storage/database-errors.js';

const AT = 'postgres://cis@db:5432/cis';
const STOPPED_BY_ADMIN =
  "57P01: the server ended the session, by an administrator's pg_terminate_backend or a shutdown";
/** A driver error as drizzle hands it on: the driver's own error as `cause`. */
const wrapped = (code: string, message = 'the server said no') =>
  Object.assign(new Error('Failed query'), { cause: Object.assign(new Error(message), { code }) });
const template = (code: IssueCode, params: IssueParams) => CATALOGUE.get(code)!.message(params);

describe("storage failures print their code's catalogue template", () => {
  const cases: [what: string, failure: CisError | undefined, code: IssueCode, params: IssueParams, text: string][] = [
    [
      'a server that cannot be reached',
      asStorageFailure(wrapped('ECONNREFUSED'), AT),
      'database-unreachable',
      { value: AT, limit: 'ECONNREFUSED' },
      `cannot reach the PostgreSQL server at ${AT} (ECONNREFUSED)`,
    ],
    [
      'a connection lost under a command that writes',
      asStorageFailure(wrapped('CONNECTION_CLOSED'), AT),
      'database-unreachable',
      { value: AT, limit: 'CONNECTION_CLOSED', detail: 'what was committed stays' },
      `lost the connection to the PostgreSQL server at ${AT} (CONNECTION_CLOSED): what was committed stays`,
    ],
    [
      'a connection lost under a reader',
      asStorageFailure(wrapped('57P01'), AT, undefined, readerLost('no history was shown')),
      'database-unreachable',
      { value: AT, limit: STOPPED_BY_ADMIN, detail: 'no history was shown; nothing in the store changed' },
      `lost the connection to the PostgreSQL server at ${AT} (${STOPPED_BY_ADMIN}): no history was shown; nothing in the store changed`,
    ],
    [
      'a statement_timeout',
      asStorageFailure(wrapped('57014', 'canceling statement due to statement timeout'), AT),
      'server-stopped-command',
      {
        value: AT,
        limit: '57014',
        detail: 'it cancelled a statement that ran longer than the statement_timeout set for this login or database',
      },
      `the PostgreSQL server at ${AT} stopped the command (57014): it cancelled a statement that ran longer than the statement_timeout set for this login or database`,
    ],
    [
      'a lock_timeout',
      asStorageFailure(wrapped('55P03', 'canceling statement due to lock timeout'), AT),
      'server-stopped-command',
      {
        value: AT,
        limit: '55P03',
        detail: 'a lock was not granted within the lock_timeout set for this login or database',
      },
      `the PostgreSQL server at ${AT} stopped the command (55P03): a lock was not granted within the lock_timeout set for this login or database`,
    ],
    [
      'an idle_in_transaction_session_timeout',
      asStorageFailure(wrapped('25P03'), AT, undefined, readerLost('no history was shown')),
      'server-stopped-command',
      {
        value: AT,
        limit: '25P03',
        detail:
          'it ended the session, which was idle inside a transaction longer than idle_in_transaction_session_timeout',
      },
      `the PostgreSQL server at ${AT} stopped the command (25P03): it ended the session, which was idle inside a transaction longer than idle_in_transaction_session_timeout`,
    ],
    [
      'a full disk',
      asStorageFailure(wrapped('53100', 'could not extend file'), AT),
      'disk-full',
      { value: AT, detail: 'could not extend file' },
      `no space left on ${AT}: could not extend file`,
    ],
    [
      'a login without the rights',
      asStorageFailure(wrapped('42501', 'permission denied for table public.operators'), AT, 'cis_admin'),
      'permission-denied',
      { value: AT, detail: 'permission denied for table public.operators', limit: 'cis_admin' },
      `the database login may not do this at ${AT} (permission denied for table public.operators): it needs the cis_admin role`,
    ],
    [
      'a login the server refused',
      asStorageFailure(wrapped('28P01', 'password authentication failed for user "cis"'), AT),
      'database-unavailable',
      { value: AT, detail: 'password authentication failed for user "cis"' },
      `cannot use the database at ${AT}: password authentication failed for user "cis"`,
    ],
    [
      'a store that is not there',
      noStoreAt('/home/jo/cis'),
      'no-store',
      { value: '/home/jo/cis' },
      'no cis-contact store at /home/jo/cis: reading commands never create one',
    ],
    [
      'a job whose role the login lacks',
      permissionDenied(AT, 'creating roles', undefined),
      'permission-denied',
      { value: AT, detail: 'creating roles' },
      `the database login may not do this at ${AT} (creating roles)`,
    ],
  ];

  it.each(cases)('%s', (_, failure, code, params, text) => {
    expect(failure?.code).toBe(code);
    expect(failure?.params).toEqual(params);
    expect(failure?.message).toBe(template(code, params));
    expect(failure?.message).toBe(text);
  });

  it('a timeout says what to change, and that the line or batch in hand was not written', () => {
    const writer = asStorageFailure(wrapped('57014'), AT);
    expect(writer?.hint).toMatch(
      /^nothing of the batch or line in hand was written; what was committed stays; raise it for this login \(ALTER ROLE name SET statement_timeout/,
    );
    const reader = asStorageFailure(wrapped('25P03'), AT, undefined, readerLost('12 of 40 entries were written'));
    expect(reader?.hint).toMatch(
      /^12 of 40 entries were written; nothing in the store changed; raise it for this login/,
    );
  });

  it('an error that is not a storage failure is left to the caller', () => {
    expect(asStorageFailure(wrapped('23505', 'duplicate key'), AT)).toBeUndefined();
    expect(asStorageFailure(new Error('plain'), AT)).toBeUndefined();
  });
});
