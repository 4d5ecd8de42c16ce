import { describe, expect, it } from 'vitest';
import { dateFilter } from '../../src/commands/filters.js';
import { CisError } from '../../src/domain/errors.js';

describe('--from and --to', () => {
  it('read each end as a date', () => {
    expect(dateFilter({ from: '01/01/2019', to: '2019-12-31' })).toEqual({ from: '2019-01-01', to: '2019-12-31' });
    expect(dateFilter({ from: '2019-12-31', to: '31/12/2019' })).toEqual({ from: '2019-12-31', to: '2019-12-31' });
  });

  it('a reversed range is a usage error naming both ends and the fix, never an empty answer', () => {
    let thrown: unknown;
    try {
      dateFilter({ from: '2025-04-05', to: '06/04/2024' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CisError);
    expect(thrown).toMatchObject({
      kind: 'usage',
      message:
        '--from 2025-04-05 (2025-04-05) is after --to 06/04/2024 (2024-04-06): the range is reversed, so no date is in it',
      hint: 'swap them: --from 2024-04-06 --to 2025-04-05',
    });
  });
});
