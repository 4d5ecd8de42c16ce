import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ChainEntry,
  GENESIS_HASH,
  canonicalEntry,
  canonicalEntryByLibrary,
  chainHash,
} from '../../src/domain/audit.js';
import type { Contact } from '../../src/domain/contact.js';
import { contentHashes, sha256Hex, unitFingerprint } from '../../src/domain/identity.js';
import { jsonStringBody, jsonValue } from '../../src/domain/json-pieces.js';

const text = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom('"', '\\', '\n', '\u2028', '\u007f', '</script>'),
);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });

const entry: fc.Arbitrary<ChainEntry> = fc.record({
  seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  sourceKey: text,
  utr: text,
  partnershipUtr: maybe(text),
  contactType: maybe(text),
  contactName: maybe(text),
  channel: text,
  direction: text,
  authentication: maybe(text),
  enquiryDate: text,
  operatorPid: text,
  importRunId: maybe(fc.integer({ min: 1, max: 2 ** 31 - 1 })),
  recordedAt: text,
  recordedBy: maybe(text),
  enquiries: fc.array(
    fc.record({
      position: fc.integer({ min: 1, max: 32767 }),
      subject: text,
      actionTaken: maybe(text),
      generalNotes: maybe(text),
    }),
    { maxLength: 4 },
  ),
});

describe('audit chain canonical form', () => {
  it('property: the fast form (native serialiser, keys in sorted order) is byte-identical to the RFC 8785 library', () => {
    fc.assert(
      fc.property(entry, (e) => {
        expect(canonicalEntry(e)).toBe(canonicalEntryByLibrary(e));
      }),
      { numRuns: 2000 },
    );
  });

  /** An entry as stored before writers were kept. */
  const e: ChainEntry = {
    seq: 1,
    sourceKey: 'REF-1',
    utr: '1955839661',
    partnershipUtr: null,
    contactType: 'agent',
    contactName: 'Jo',
    channel: 'email',
    direction: 'Inbound',
    authentication: 'waived',
    enquiryDate: '2024-01-02',
    operatorPid: '1234567',
    importRunId: null,
    recordedAt: '2026-11-22T10:00:00.123456Z',
    recordedBy: null,
    enquiries: [{ position: 1, subject: 'Letter', actionTaken: 'Sent', generalNotes: null }],
  };

  it('hash = sha256(prev_hash || canonical JSON), starting from 64 zeros', () => {
    expect(GENESIS_HASH).toBe('0'.repeat(64));
    expect(canonicalEntry(e)).toBe(
      '{"authentication":"waived","channel":"email","contactName":"Jo","contactType":"agent","direction":"Inbound","enquiries":[{"actionTaken":"Sent","generalNotes":null,"position":1,"subject":"Letter"}],"enquiryDate":"2024-01-02","importRunId":null,"operatorPid":"1234567","partnershipUtr":null,"recordedAt":"2026-11-22T10:00:00.123456Z","seq":1,"sourceKey":"REF-1","utr":"1955839661"}',
    );
    expect(chainHash(GENESIS_HASH, e)).toBe(sha256Hex(GENESIS_HASH + canonicalEntry(e)));
  });

  it('an entry stored before writers were kept hashes exactly as it always did; from then on recordedBy is in the chain', () => {
    const before = e;
    expect(canonicalEntry(before)).not.toContain('recordedBy');
    const after = { ...before, recordedBy: 'alice' };
    expect(canonicalEntry(after)).toContain('"recordedAt":"2026-11-22T10:00:00.123456Z","recordedBy":"alice","seq":1,');
    expect(chainHash(GENESIS_HASH, after)).not.toBe(chainHash(GENESIS_HASH, before));
    expect(chainHash(GENESIS_HASH, { ...after, recordedBy: 'bob' })).not.toBe(chainHash(GENESIS_HASH, after));
  });
});

describe('JSON text of a value without a copy', () => {
  it("is JSON.stringify's for any text (lone surrogates, controls, quotes), number or null", () => {
    fc.assert(
      fc.property(fc.oneof(text, fc.integer(), fc.constant(null)), (value) => {
        expect(jsonValue(value)).toBe(JSON.stringify(value));
      }),
      { numRuns: 2000 },
    );
    for (const lone of ['\ud800', 'a\udfff', '\u0000', '\u001f', '"', '\\'])
      expect(jsonValue(lone)).toBe(JSON.stringify(lone));
  });

  it("between its quotes, is JSON.stringify's for any text, and the text itself when nothing in it needs an escape", () => {
    fc.assert(
      fc.property(text, (value) => {
        expect(`"${jsonStringBody(value)}"`).toBe(JSON.stringify(value));
      }),
      { numRuns: 2000 },
    );
    const plain = 'Callback about the late return';
    expect(jsonStringBody(plain)).toBe(plain);
    for (const lone of ['\ud800', 'a\udfff', '\u0000', '\u001f', '"', '\\'])
      expect(`"${jsonStringBody(lone)}"`).toBe(JSON.stringify(lone));
  });
});

describe('identity hashes', () => {
  const contact = {
    utr: '1955839661',
    partners: null,
    contactType: 'agent' as const,
    contactName: 'Jo',
    channel: 'email' as const,
    direction: 'Inbound' as const,
    authentication: 'waived' as const,
    enquiryDate: '2024-01-02',
    operatorPid: '1234567',
    enquiries: [{ subject: 'Letter' as const, actionTaken: 'Sent', generalNotes: null }],
  };
  const own = [{ utr: '1955839661', partnershipUtr: null }];

  it('a contact on its own record has a fingerprint equal to its content hash, computed once', () => {
    const hashes = contentHashes(contact, own);
    expect(unitFingerprint(contact, own, hashes)).toBe(hashes[0]);
    expect(unitFingerprint(contact)).toBe(hashes[0]);
  });

  it('the stored form never changes: known contacts keep their known hashes', () => {
    const awkward = {
      ...contact,
      contactName: 'Jo "B"\n\u2028',
      authentication: null,
      enquiries: [
        { subject: 'Letter' as const, actionTaken: 'Sent', generalNotes: null },
        { subject: 'Other' as const, actionTaken: null, generalNotes: 'n\\' },
      ],
    };
    expect(contentHashes(awkward, own)).toEqual(['974e898c5fca0b3a31f750a07a276bfb']);
    expect(
      contentHashes({ ...awkward, utr: '2108834503' }, [{ utr: '1097172564', partnershipUtr: '2108834503' }]),
    ).toEqual(['43dc743085d10effa12657d6b1eb060a']);
    expect(unitFingerprint({ ...awkward, utr: '2108834503', partners: ['1097172564'] })).toBe(
      '10c14b8dd03b76001fd1e56faae047bc',
    );
  });

  it('property: the content hash is of the JSON array ["contact-v1", utr, partnership, fields]', () => {
    const identity = fc.record({
      utr: text,
      partners: maybe(fc.array(text, { maxLength: 3 })),
      contactType: maybe(text),
      contactName: maybe(text),
      channel: text,
      direction: text,
      authentication: maybe(text),
      enquiryDate: text,
      operatorPid: text,
      enquiries: fc.array(fc.record({ subject: text, actionTaken: maybe(text), generalNotes: maybe(text) }), {
        maxLength: 3,
      }),
    });
    fc.assert(
      fc.property(identity, maybe(text), (c, partnershipUtr) => {
        const contact = c as unknown as Contact;
        const fields = [
          c.contactType,
          c.contactName,
          c.channel,
          c.direction,
          c.authentication,
          c.enquiryDate,
          c.operatorPid,
          c.enquiries.map((e) => [e.subject, e.actionTaken, e.generalNotes]),
        ];
        const target = { utr: c.utr, partnershipUtr };
        expect(contentHashes(contact, [target])).toEqual([
          sha256Hex(JSON.stringify(['contact-v1', c.utr, partnershipUtr, fields])).slice(0, 32),
        ]);
        expect(unitFingerprint(contact)).toBe(
          sha256Hex(JSON.stringify(['contact-v1', c.utr, c.partners, fields])).slice(0, 32),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('partners, partnership and content all change the hashes', () => {
    const expanded = [
      { utr: '1097172564', partnershipUtr: '2108834503' },
      { utr: '2234567890', partnershipUtr: '2108834503' },
    ];
    const partnership = { ...contact, utr: '2108834503' };
    const [a, b] = contentHashes(partnership, expanded);
    expect(a).not.toBe(b);
    expect(unitFingerprint(partnership, expanded, [a!, b!])).not.toBe(a);
    expect(unitFingerprint({ ...partnership, partners: ['1097172564'] })).not.toBe(unitFingerprint(partnership));
    expect(contentHashes({ ...contact, contactName: 'Jo B' }, own)).not.toEqual(contentHashes(contact, own));
  });
});
