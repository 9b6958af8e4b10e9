/**
 * At most `max` tasks per key at once in this process; the rest are refused at once, not queued.
 * Per instance on purpose: what it protects (the password-hashing pool) is per instance too.
 */
export class InFlightLimit {
  private readonly running = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Takes a slot for `key`: answers its release, or undefined when all `max` are taken. */
  tryAcquire(key: string): (() => void) | undefined {
    const taken = this.running.get(key) ?? 0;
    if (taken >= this.max) return undefined;
    this.running.set(key, taken + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.running.get(key) ?? 1) - 1;
      if (left > 0) this.running.set(key, left);
      else this.running.delete(key);
    };
  }

  /** Keys holding a slot now (for tests: nothing may leak). */
  get size(): number {
    return this.running.size;
  }
}
