import { addDays, businessDate, endOfBusinessDay, isCalendarDate, parseUtcOffset } from './business-time.js';
import { BEIJING } from './testing/given.js';

describe('isCalendarDate', () => {
  it.each(['2019-03-15', '2020-02-29', '2019-12-31', '2019-01-01'])('accepts %s', (date) => {
    expect(isCalendarDate(date)).toBe(true);
  });

  it.each(['2019-02-29', '2019-04-31', '2019-13-01', '2019-00-10', '2019-3-15', '2019-03-15T00:00:00Z', '20190315', ''])(
    'refuses %j',
    (date) => {
      expect(isCalendarDate(date)).toBe(false);
    },
  );
});

describe('businessDate', () => {
  it('is still the same day in Beijing one millisecond before 16:00 UTC', () => {
    expect(businessDate('2019-03-14T15:59:59.999Z', BEIJING)).toBe('2019-03-14');
  });

  it('is already the next day in Beijing at 16:00 UTC, while UTC has not turned the day', () => {
    expect(businessDate('2019-03-14T16:00:00.000Z', BEIJING)).toBe('2019-03-15');
    expect(businessDate('2019-03-14T16:00:00.000Z', 0)).toBe('2019-03-14');
  });

  it('turns the year at 16:00 UTC on 31 December', () => {
    expect(businessDate('2019-12-31T16:00:00.000Z', BEIJING)).toBe('2020-01-01');
  });

  it('takes an instant with an offset, epoch milliseconds or a Date alike', () => {
    const instant = '2019-03-15T00:30:00+08:00';
    expect(businessDate(instant, BEIJING)).toBe('2019-03-15');
    expect(businessDate(Date.parse(instant), BEIJING)).toBe('2019-03-15');
    expect(businessDate(new Date(instant), BEIJING)).toBe('2019-03-15');
  });

  it('answers each instant and offset with its own date, asked again and again among many others (the recent answers are kept)', () => {
    const instants = Array.from({ length: 12 }, (_, i) => `2019-03-${String(10 + i).padStart(2, '0')}T16:00:00.000Z`);
    for (let round = 0; round < 3; round++)
      for (const [i, instant] of instants.entries()) {
        expect(businessDate(instant, BEIJING)).toBe(`2019-03-${String(11 + i).padStart(2, '0')}`);
        expect(businessDate(instant, 0)).toBe(`2019-03-${String(10 + i).padStart(2, '0')}`);
        expect(businessDate(instant, BEIJING)).toBe(`2019-03-${String(11 + i).padStart(2, '0')}`);
      }
  });

  it('works west of UTC as well', () => {
    expect(businessDate('2019-03-15T04:59:59.999Z', -300)).toBe('2019-03-14');
    expect(businessDate('2019-03-15T05:00:00.000Z', -300)).toBe('2019-03-15');
  });
});

describe('addDays', () => {
  it.each([
    ['2019-03-15', 90, '2019-06-13'],
    ['2019-01-31', 1, '2019-02-01'],
    ['2019-02-28', 1, '2019-03-01'],
    ['2020-02-28', 1, '2020-02-29'],
    ['2020-02-29', 1, '2020-03-01'],
    ['2019-12-31', 1, '2020-01-01'],
    ['2019-11-15', 90, '2020-02-13'],
    ['2020-03-01', -1, '2020-02-29'],
    ['2019-03-15', 0, '2019-03-15'],
  ])('%s plus %i days is %s', (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });
});

describe('endOfBusinessDay', () => {
  it('is 16:00 UTC for a day in Beijing: midnight of the next day there', () => {
    expect(new Date(endOfBusinessDay('2019-03-15', BEIJING)).toISOString()).toBe('2019-03-15T16:00:00.000Z');
  });

  it('is the first instant that falls on the next business day', () => {
    const end = endOfBusinessDay('2019-12-31', BEIJING);
    expect(businessDate(end - 1, BEIJING)).toBe('2019-12-31');
    expect(businessDate(end, BEIJING)).toBe('2020-01-01');
  });

  it('is midnight UTC of the next day at offset zero', () => {
    expect(new Date(endOfBusinessDay('2020-02-29', 0)).toISOString()).toBe('2020-03-01T00:00:00.000Z');
  });
});

describe('parseUtcOffset', () => {
  it.each([
    ['+08:00', 480],
    ['Z', 0],
    ['-05:30', -330],
    ['+05:45', 345],
    ['+14:00', 840],
  ])('reads %s as %i minutes east of UTC', (text, minutes) => {
    expect(parseUtcOffset(text)).toBe(minutes);
  });

  it.each(['+15:00', '+14:30', '+08:60', '+0800', '08:00', '+8:00', 'UTC', 'Asia/Shanghai', ''])('refuses %j', (text) => {
    expect(parseUtcOffset(text)).toBeUndefined();
  });
});
