import { describe, expect, it } from '@jest/globals';
import { AppConfig } from '../config/app-config.js';
import { createRootLogger, isoTimeCachedPerMillisecond } from './logger.factory.js';

describe('the root logger', () => {
  it('redacts secrets wherever a careless log call would put them', () => {
    const lines: string[] = [];
    const logger = createRootLogger(AppConfig.fromEnv({ LOG_LEVEL: 'info' }), {
      write: (line: string) => lines.push(line),
    });
    logger.info({
      password: 'p1',
      body: { new_password: 'p2', refresh_token: 'r1', token: 'l1', username: 'kept' },
      req: { headers: { authorization: 'Bearer t1', cookie: 'c1' }, body: { client_secret: 's1' } },
      headers: { authorization: 'Basic b1' },
      access_token: 't2',
    });
    const text = lines.join('');
    for (const secret of ['p1', 'p2', 'r1', 'l1', 't1', 'c1', 's1', 'b1', 't2']) {
      expect(text).not.toContain(`"${secret}"`);
      expect(text).not.toContain(` ${secret}`);
    }
    expect(text).toContain('"username":"kept"');
    expect(text).toContain('[redacted]');
  });
});

describe('the log line timestamp', () => {
  it('is the ISO time of the millisecond the line is written in', () => {
    let clock = Date.UTC(2026, 10, 30, 12, 0, 0, 1);
    const time = isoTimeCachedPerMillisecond(() => clock);
    expect(time()).toBe(',"time":"2026-11-30T12:00:00.001Z"');
    expect(time()).toBe(',"time":"2026-11-30T12:00:00.001Z"');
    clock += 1;
    expect(time()).toBe(',"time":"2026-11-30T12:00:00.002Z"');
  });

  it('is what pino writes in every line', () => {
    const lines: string[] = [];
    const logger = createRootLogger(AppConfig.fromEnv({ LOG_LEVEL: 'info' }), {
      write: (line: string) => lines.push(line),
    });
    const before = Date.now();
    logger.info('hello');
    const { time } = JSON.parse(lines[0]!) as { time: string };
    expect(Date.parse(time)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(time)).toBeLessThanOrEqual(Date.now());
  });
});
