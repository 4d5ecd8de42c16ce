/**
 * Deterministic sample data for the benchmark: a registry, operators and a
 * valid contact log of N rows (about 360 bytes a row, as legacy logs run).
 */

import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const WEIGHTS = [6, 7, 8, 9, 10, 5, 4, 3, 2];
function utrFrom(n) {
  const nine = String(n).padStart(9, '0');
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(nine[i]) * WEIGHTS[i];
  return '21987654321'[sum % 11] + nine;
}

/** mulberry32: small, fast, repeatable. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'the customer asked about their monthly return and the deduction statement was explained in full ' +
  'agent confirmed the verification status of the subcontractor and will send the missing details by post ' +
  'contractor disputed the late filing penalty and was told how to appeal in writing within thirty days'
).split(' ');
const CHANNELS = [
  ['phone-inbound', 'Inbound'],
  ['phone-outbound', 'Outbound'],
  ['letter', 'Outbound'],
  ['email', 'Inbound'],
  ['face-to-face', 'Inbound'],
  ['fax', 'Outbound'],
];
const TYPES = ['contractor', 'subcontractor', 'agent', 'capacitor', 'third party'];
const SUBJECTS = ['Letter', 'Callback', 'Complaint', 'Internal Referral'];
export const RECORDS = 5000;
export const OPERATORS = ['1000001', '1000002', '1000003', '1000004', '1000005'];

function sentence(rnd, words) {
  let s = '';
  for (let i = 0; i < words; i++) s += (i ? ' ' : '') + WORDS[Math.floor(rnd() * WORDS.length)];
  return s;
}

async function writeLines(path, lines) {
  const out = createWriteStream(path);
  for (const line of lines) if (!out.write(line)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

/** Writes registry.csv (`records` records), operators.csv and contacts.csv (`rows` rows, naming those records) into `dir`. */
export async function generate(dir, rows, records = RECORDS) {
  await writeLines(
    `${dir}/registry.csv`,
    (function* () {
      yield 'utr,name,kind,partner_of\n';
      for (let i = 0; i < records; i++)
        yield `${utrFrom(100000 + i)},Bench Record ${i},${i % 2 ? 'subcontractor' : 'contractor'},\n`;
    })(),
  );
  await writeLines(
    `${dir}/operators.csv`,
    (function* () {
      yield 'pid,name,roles\n';
      for (const pid of OPERATORS) yield `${pid},Operator ${pid},CISR Processor\n`;
    })(),
  );
  await writeLines(
    `${dir}/contacts.csv`,
    (function* () {
      const rnd = random(42);
      yield 'contact_ref,utr,partners,contact_type,contact_name,channel,direction,enquiry_date,authentication,operator_pid,subject,action_taken,general_notes\n';
      for (let i = 0; i < rows; i++) {
        const [channel, direction] = CHANNELS[Math.floor(rnd() * CHANNELS.length)];
        const day = new Date(Date.UTC(2009, 0, 1) + Math.floor(rnd() * 16 * 365) * 86400000).toISOString().slice(0, 10);
        const notes = sentence(rnd, 30 + Math.floor(rnd() * 10));
        yield `,${utrFrom(100000 + Math.floor(rnd() * records))},,${TYPES[Math.floor(rnd() * TYPES.length)]},Contact ${i % 997},${channel},${direction},${day},authenticated,${OPERATORS[i % OPERATORS.length]},${SUBJECTS[Math.floor(rnd() * SUBJECTS.length)]},${sentence(rnd, 8).slice(0, 100)},"${notes}, row ${i}"\n`;
      }
    })(),
  );
}
