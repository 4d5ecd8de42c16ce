import { describe, expect, it } from 'vitest';
import { checkOperatorRow, mergeOperatorRows } from '../../src/domain/reference-data.js';
import { notAuthorisedBecause, rolesHeldOn } from '../../src/domain/operator-roles.js';

describe('roles through time', () => {
  const changed = {
    roles: [],
    periods: [
      { roles: ['CISR Processor'], from: null, to: '2018-06-30' },
      { roles: ['CISR Viewer'], from: '2018-07-01', to: null },
    ],
    leftOn: '2021-03-31',
  };

  it('holds each dated role from its first day to its last, and nothing after the last day of service', () => {
    expect(rolesHeldOn(changed, '2018-06-30')).toEqual(['CISR Processor']);
    expect(rolesHeldOn(changed, '2018-07-01')).toEqual(['CISR Viewer']);
    expect(rolesHeldOn(changed, '2021-03-31')).toEqual(['CISR Viewer']);
    expect(rolesHeldOn(changed, '2021-04-01')).toEqual([]);
    // No date to go by (it failed its own rule): every role ever held, so the date's error stands alone.
    expect(rolesHeldOn(changed, undefined)).toEqual(['CISR Processor', 'CISR Viewer']);
    expect(notAuthorisedBecause(changed, '2018-06-30', 'the enquiry date')).toBeUndefined();
    expect(notAuthorisedBecause(changed, undefined, 'the enquiry date')).toBeUndefined();
  });

  it('reads an operator without dates as before: its roles held always', () => {
    expect(notAuthorisedBecause({ roles: ['CISR Viewer'] }, '2015-01-01', 'today')).toBe('holds CISR Viewer');
    expect(notAuthorisedBecause({ roles: ['CISR Processor'] }, '2015-01-01', 'today')).toBeUndefined();
  });

  it('makes each dated row a period and adds the rows of one PID up', () => {
    const first = checkOperatorRow({ pid: '7000002', name: 'Chris', roles: 'CISR Processor', roles_to: '30/06/2018' });
    const second = checkOperatorRow({
      pid: '7000002',
      name: 'Chris C',
      roles: 'cisr viewer',
      roles_from: '2018-07-01',
      leaving_date: '',
    });
    const merged = mergeOperatorRows(first.value!, second.value!);
    expect(merged).toEqual({
      pid: '7000002',
      name: 'Chris C',
      roles: [],
      logins: undefined,
      leftOn: null,
      periods: [
        { roles: ['CISR Processor'], from: null, to: '2018-06-30' },
        { roles: ['CISR Viewer'], from: '2018-07-01', to: null },
      ],
    });
    expect(
      checkOperatorRow({
        pid: '7000003',
        name: 'L',
        roles: 'CISR Processor',
        roles_from: '2019-01-01',
        leaving_date: '2018-12-31',
      }).errors,
    ).toMatchObject([{ code: 'period-invalid', field: 'leaving_date' }]);
  });
});
