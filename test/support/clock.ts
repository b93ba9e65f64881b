/** A clock that stands still until a test moves it. */
export class TestClock {
  private now: number;
  constructor(start = '2019-03-01T02:00:00.000Z') {
    this.now = Date.parse(start);
  }
  readonly read = (): Date => new Date(this.now);
  set(instant: string): void {
    this.now = Date.parse(instant);
  }
  advanceDays(days: number): void {
    this.now += days * 86_400_000;
  }
  advanceMinutes(minutes: number): void {
    this.now += minutes * 60_000;
  }
}
