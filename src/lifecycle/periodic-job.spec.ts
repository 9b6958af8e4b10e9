import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { PeriodicJob, type PeriodicJobOptions } from './periodic-job.js';

const EVERY_MS = 1_000;

describe('PeriodicJob', () => {
  let passes: number;
  let pass: (stopping: AbortSignal) => Promise<void>;
  let logger: Logger;
  let job: PeriodicJob;
  const aJob = (options: Partial<PeriodicJobOptions> = {}) =>
    new PeriodicJob({
      name: 'Test job',
      everyMs: EVERY_MS,
      logger,
      pass: (stopping) => {
        passes++;
        return pass(stopping);
      },
      ...options,
    });

  /** A pass that runs until `finish` is called. */
  const blocking = () => {
    const control = {
      finish: () => undefined as void,
      signal: undefined as AbortSignal | undefined,
    };
    pass = (stopping) => {
      control.signal = stopping;
      return new Promise<void>((resolve) => (control.finish = resolve));
    };
    return control;
  };

  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    passes = 0;
    pass = () => Promise.resolve();
    logger = new Logger('Test');
    job = aJob();
  });
  afterEach(async () => {
    await job.stop();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('runs a pass at start, then one every interval, on a timer that does not keep the process alive', async () => {
    const setInterval = jest.spyOn(globalThis, 'setInterval');
    job.start();
    await job.idle();
    expect(passes).toBe(1);
    await jest.advanceTimersByTimeAsync(EVERY_MS * 3);
    expect(passes).toBe(4);
    const timer = setInterval.mock.results[0]!.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
  });

  it('can start with the timer only', async () => {
    job.start({ now: false });
    await job.idle();
    expect(passes).toBe(0);
    await jest.advanceTimersByTimeAsync(EVERY_MS);
    expect(passes).toBe(1);
  });

  it('never runs two passes at once: a tick or a run that finds one running joins it', async () => {
    const control = blocking();
    job.start();
    const running = job.run();
    expect(job.run()).toBe(running);
    await jest.advanceTimersByTimeAsync(EVERY_MS * 10);
    expect(passes).toBe(1);
    pass = () => Promise.resolve();
    control.finish();
    await running;
    // Skipped ticks are not made up for: the next pass comes at the next tick.
    expect(passes).toBe(1);
    await jest.advanceTimersByTimeAsync(EVERY_MS);
    expect(passes).toBe(2);
  });

  it('runs once more after the pass in progress when woken meanwhile, and only once', async () => {
    const control = blocking();
    job.wake();
    expect(passes).toBe(1);
    job.wake();
    job.wake();
    pass = () => Promise.resolve();
    control.finish();
    await job.idle();
    expect(passes).toBe(2);
  });

  it('logs a failed pass instead of throwing, and tries again at the next tick', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    pass = () => Promise.reject(new Error('database away'));
    job.start();
    await expect(job.run()).resolves.toBeUndefined();
    expect(errors).toHaveBeenCalledWith('Test job failed: database away');
    pass = () => Promise.resolve();
    await jest.advanceTimersByTimeAsync(EVERY_MS);
    expect(passes).toBe(2);
  });

  it('logs every failure, or only the first and the recovery when asked to', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const logs = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const fail = () => Promise.reject(new Error('away'));
    pass = fail;
    await job.run();
    await job.run();
    expect(errors).toHaveBeenCalledTimes(2);

    errors.mockClear();
    const quiet = aJob({ logFirstFailureOnly: true });
    await quiet.run();
    await quiet.run();
    expect(errors).toHaveBeenCalledTimes(1);
    pass = () => Promise.resolve();
    await quiet.run();
    expect(logs).toHaveBeenCalledWith('Test job recovered');
    pass = fail;
    await quiet.run();
    expect(errors).toHaveBeenCalledTimes(2);
    await quiet.stop();
  });

  it('keeps credentials of a URL out of the log', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    pass = () => Promise.reject(new Error('connect smtp://mailer:s3cret@mail.example failed'));
    await job.run();
    expect(errors).toHaveBeenCalledWith('Test job failed: connect smtp://***@mail.example failed');
  });

  it('on stop: clears the timer, tells the pass in progress, waits for it, and runs no more', async () => {
    const control = blocking();
    job.start();
    let stopped = false;
    const stopping = job.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(control.signal?.aborted).toBe(true);
    expect(stopped).toBe(false);
    control.finish();
    await stopping;
    expect(stopped).toBe(true);

    pass = () => Promise.resolve();
    job.wake();
    await job.run();
    job.start();
    await jest.advanceTimersByTimeAsync(EVERY_MS * 3);
    expect(passes).toBe(1);
  });
});
