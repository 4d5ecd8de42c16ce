/**
 * The drizzle schema is the one form of a contact the layout cannot generate
 * (drizzle infers its types from the literal table), so it is held to the
 * layout here: every field a column of the same name, type and nullability,
 * and no column the layout does not declare.
 */

import { getTableColumns } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { CONTACT_FIELDS, ENQUIRY_FIELDS, type StoredField } from '../../src/domain/layout.js';
import { contacts, enquiries } from '../../src/storage/schema.js';

const SQL_TYPES: Record<StoredField['type'], RegExp> = {
  text: /^(text|varchar|char)/,
  integer: /^(bigint|integer|smallint)/,
  date: /^date$/,
  timestamp: /^timestamp/,
};

function columnsOf(table: typeof contacts | typeof enquiries) {
  return Object.values(getTableColumns(table)).map((c) => ({
    name: c.name,
    nullable: !c.notNull,
    type: c.getSQLType(),
  }));
}

describe('the schema follows the contact layout', () => {
  it.each([
    ['contacts', contacts, CONTACT_FIELDS, []],
    ['enquiries', enquiries, ENQUIRY_FIELDS, ['contact_seq']],
  ] as const)('%s: one column per field, of its type and nullability', (_, table, fields, extra) => {
    const columns = columnsOf(table);
    expect(columns.map((c) => c.name).sort()).toEqual([...fields.map((f) => f.column), ...extra].sort());
    for (const field of fields) {
      const column = columns.find((c) => c.name === field.column)!;
      expect({ column: field.column, nullable: column.nullable }).toEqual({
        column: field.column,
        nullable: field.nullable,
      });
      expect(column.type, field.column).toMatch(SQL_TYPES[field.type]);
    }
  });
});
