import type { ProposalDoc, SessionDoc } from '@app/projections';
import { mondayOf, sessionProgress } from './progress.js';

const OFFSET = 480; // +08:00
const session = { session: '6-3', name: '六届三次会议', year: 2019 } as SessionDoc;

/** Only the dated facts progress reads; instants are UTC, as the read model keeps them. */
const doc = (filedAt: string, facts: { assigned?: string; answered?: string; published?: string } = {}) =>
  ({
    filedAt,
    assignments: facts.assigned ? [{ at: facts.assigned }, { at: '2019-12-30T02:00:00.000Z' }] : [],
    answers: facts.answered ? [{ at: facts.answered }, { at: '2019-12-30T02:00:00.000Z' }] : [],
    publications: facts.published ? [{ at: facts.published }] : [],
  }) as unknown as ProposalDoc;

const proposals = [
  // Sunday 10 March, 23:30 in Beijing: still the week of Monday 4 March.
  doc('2019-03-10T15:30:00.000Z', { assigned: '2019-03-20T02:00:00.000Z', answered: '2019-05-08T02:00:00.000Z', published: '2019-05-20T02:00:00.000Z' }),
  // Monday 11 March, 00:30 in Beijing (still Sunday in UTC): the week of 11 March.
  doc('2019-03-10T16:30:00.000Z', { assigned: '2019-03-20T02:00:00.000Z', answered: '2019-06-28T15:59:59.999Z' }),
  doc('2019-03-12T02:00:00.000Z'),
];

describe('progress through the year, by week in business time', () => {
  it('finds the Monday of a business date', () => {
    expect(mondayOf('2019-03-10')).toBe('2019-03-04'); // a Sunday
    expect(mondayOf('2019-03-11')).toBe('2019-03-11');
    expect(mondayOf('2019-03-16')).toBe('2019-03-11');
    expect(mondayOf('2019-01-01')).toBe('2018-12-31'); // a week across the new year
  });

  it('counts each proposal’s first assignment, answer and publication in the week of its business date', () => {
    const p = sessionProgress({ session, proposals, utcOffsetMinutes: OFFSET });
    expect(p.weeks[0]).toEqual({ weekOf: '2019-03-04', added: { filed: 1, assigned: 0, answered: 0, published: 0 }, total: { filed: 1, assigned: 0, answered: 0, published: 0 } });
    expect(p.weeks[1]).toMatchObject({ weekOf: '2019-03-11', added: { filed: 2 }, total: { filed: 3 } });
    expect(p.weeks.find((w) => w.weekOf === '2019-03-18')?.added).toEqual({ filed: 0, assigned: 2, answered: 0, published: 0 });
    // 28 June 23:59:59.999 in Beijing is a Friday: the week of 24 June. Later answers and assignments are not first.
    expect(p.weeks.find((w) => w.weekOf === '2019-06-24')?.added.answered).toBe(1);
    const last = p.weeks[p.weeks.length - 1];
    expect(last.weekOf).toBe('2019-06-24'); // no as-of date: up to the last fact
    expect(last.total).toEqual({ filed: 3, assigned: 2, answered: 2, published: 1 });
    // Every week in between is there, seven days apart, even when nothing happened.
    expect(p.weeks.map((w) => w.weekOf)).toHaveLength(17);
  });

  it('stops at the end of the as-of date, and runs to it when it lies in the session’s year', () => {
    const p = sessionProgress({ session, proposals, asOf: '2019-05-10', utcOffsetMinutes: OFFSET });
    const last = p.weeks[p.weeks.length - 1];
    expect(last.weekOf).toBe('2019-05-06');
    expect(last.total).toEqual({ filed: 3, assigned: 2, answered: 1, published: 0 });

    const later = sessionProgress({ session, proposals, asOf: '2019-09-30', utcOffsetMinutes: OFFSET });
    expect(later.weeks[later.weeks.length - 1]).toMatchObject({ weekOf: '2019-09-30', total: { answered: 2 } });

    // Read years later, the weeks end with the last fact, not with today.
    const years = sessionProgress({ session, proposals, asOf: '2026-11-29', utcOffsetMinutes: OFFSET });
    expect(years.weeks[years.weeks.length - 1].weekOf).toBe('2019-06-24');
    expect(years.asOf).toBe('2026-11-29');
  });

  it('leaves out proposals filed after the as-of date, and has no weeks before the first filing', () => {
    expect(sessionProgress({ session, proposals, asOf: '2019-03-10', utcOffsetMinutes: OFFSET }).weeks).toEqual([
      { weekOf: '2019-03-04', added: { filed: 1, assigned: 0, answered: 0, published: 0 }, total: { filed: 1, assigned: 0, answered: 0, published: 0 } },
    ]);
    expect(sessionProgress({ session, proposals, asOf: '2019-01-31', utcOffsetMinutes: OFFSET }).weeks).toEqual([]);
  });
});
