import { describe, expect, it } from '@jest/globals';
import { AppConfig } from '../config/app-config.js';
import { createRootLogger } from './logger.factory.js';

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
