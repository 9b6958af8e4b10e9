/** Retries double from the first delay, but are never further apart than this. */
export const MAX_RETRY_DELAY_MS = 15 * 60_000;
/** After this long in the outbox, a mail that could not be sent is given up. */
export const GIVE_UP_AFTER_MS = 24 * 3_600_000;

/**
 * When to try again after `attempts` failed attempts (1 = the first failure): the first retry
 * after `firstDelayMs`, each later one twice as far as the one before, at most 15 minutes apart;
 * undefined once the mail has been waiting 24 hours — it is given up.
 */
export function nextAttemptAt(
  attempts: number,
  queuedAt: Date,
  now: Date,
  firstDelayMs: number,
): Date | undefined {
  const delay = Math.min(firstDelayMs * 2 ** Math.max(0, attempts - 1), MAX_RETRY_DELAY_MS);
  const next = now.getTime() + delay;
  return next - queuedAt.getTime() > GIVE_UP_AFTER_MS ? undefined : new Date(next);
}
