// cognito-local's ClockFake pins the clock of their in-process server. The emulator runs in
// another process on its own clock, so this fake only keeps the test files compiling: a test
// that compares a timestamp with it fails, and TRIAGE.md counts that failure as the harness's.
export class ClockFake {
  private currentValue: Date;

  constructor(initialValue: Date) {
    this.currentValue = initialValue;
  }

  public get(): Date {
    return this.currentValue;
  }

  public advanceBy(ms: number): Date {
    this.currentValue = new Date(this.currentValue.getTime() + ms);
    return this.currentValue;
  }

  public advanceTo(date: Date): Date {
    this.currentValue = date;
    return this.currentValue;
  }
}
