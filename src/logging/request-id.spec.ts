import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { RequestIds, requestIdFor } from './request-id.js';

const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const withHeader = (value?: string) =>
  ({ headers: value === undefined ? {} : { 'x-request-id': value } }) as IncomingMessage;

describe('request ids', () => {
  it('are UUID-shaped (version 8), distinct, and counted from a random part per process', () => {
    const ids = new RequestIds(Buffer.from('00112233445566778899', 'hex'));
    expect(ids.next()).toBe('00112233-4455-8667-b889-000000000001');
    expect(ids.next()).toBe('00112233-4455-8667-b889-000000000002');
    const seen = new Set(Array.from({ length: 1000 }, () => requestIdFor(withHeader())));
    expect(seen.size).toBe(1000);
    for (const id of seen) expect(id).toMatch(UUID_V8);
  });

  it('differ between processes (their random parts)', () => {
    expect(new RequestIds().next()).not.toBe(new RequestIds().next());
  });

  it('keep a caller’s printable X-Request-Id, and replace anything else', () => {
    expect(requestIdFor(withHeader('trace-42'))).toBe('trace-42');
    expect(requestIdFor(withHeader('has space'))).toMatch(UUID_V8);
    expect(requestIdFor(withHeader('x'.repeat(129)))).toMatch(UUID_V8);
  });
});
