import { createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  adoptLegacyRefreshToken,
  firstRefreshToken,
  hashRefreshToken,
  isLegacyRefreshToken,
  nextRefreshToken,
  parseRefreshToken,
} from './refresh-token.js';

describe('refresh tokens', () => {
  const key = createSecretKey(randomBytes(32));
  const sid = randomUUID();

  it('carries its session and generation, opaque base64url of 92 characters', () => {
    const first = firstRefreshToken(key, sid);
    const child = nextRefreshToken(key, first);
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{92}$/);
    expect(child.token).toMatch(/^[A-Za-z0-9_-]{92}$/);
    expect(parseRefreshToken(key, first.token)).toMatchObject({
      sessionId: sid,
      generation: 0,
      authentic: true,
    });
    expect(parseRefreshToken(key, child.token)).toMatchObject({
      sessionId: sid,
      generation: 1,
      authentic: true,
    });
  });

  it('starts each session from 256 random bits', () => {
    expect(firstRefreshToken(key, sid).token).not.toBe(firstRefreshToken(key, sid).token);
  });

  it('derives the same successor on every instance holding the key, another under another key', () => {
    const parent = parseRefreshToken(key, firstRefreshToken(key, sid).token)!;
    const sameKey = createSecretKey(key.export());
    expect(nextRefreshToken(sameKey, parent).token).toBe(nextRefreshToken(key, parent).token);
    const otherKey = createSecretKey(randomBytes(32));
    expect(nextRefreshToken(otherKey, parent).secret).not.toEqual(
      nextRefreshToken(key, parent).secret,
    );
  });

  it('gives every generation a token of its own', () => {
    const chain = [firstRefreshToken(key, sid)];
    for (let i = 0; i < 100; i++) chain.push(nextRefreshToken(key, chain.at(-1)!));
    expect(new Set(chain.map((t) => t.token)).size).toBe(chain.length);
    expect(new Set(chain.map((t) => hashRefreshToken(t.token))).size).toBe(chain.length);
    expect(parseRefreshToken(key, chain.at(-1)!.token)?.generation).toBe(100);
  });

  it('tells a forged token from an authentic one: any changed byte breaks the tag', () => {
    const token = nextRefreshToken(key, firstRefreshToken(key, sid)).token;
    const bytes = Buffer.from(token, 'base64url');
    for (const at of [0 + 1, 17, 21, 40, 60, 68]) {
      const forged = Buffer.from(bytes);
      forged[at] = forged[at]! ^ 1;
      const parsed = parseRefreshToken(key, forged.toString('base64url'));
      // The version byte is left alone, so every forgery still parses, as not ours.
      expect(parsed?.authentic).toBe(false);
    }
    expect(parseRefreshToken(createSecretKey(randomBytes(32)), token)?.authentic).toBe(false);
  });

  it('reads nothing but its own shape, without throwing', () => {
    const token = firstRefreshToken(key, sid).token;
    const wrongVersion = Buffer.from(token, 'base64url');
    wrongVersion[0] = 2;
    const hugeGeneration = Buffer.from(token, 'base64url');
    hugeGeneration.writeUInt32BE(0xffffffff, 17);
    for (const garbage of [
      '',
      'x',
      token.slice(1),
      `${token}A`,
      `${token.slice(0, -1)}=`,
      `${token.slice(0, -1)}+`,
      wrongVersion.toString('base64url'),
      hugeGeneration.toString('base64url'),
      randomBytes(32).toString('base64url'),
      'é'.repeat(92),
    ]) {
      expect(parseRefreshToken(key, garbage)).toBeUndefined();
    }
  });

  it('recognises a pre-0010 token by its shape and adopts it into generation 0, the same every time', () => {
    const legacy = randomBytes(32).toString('base64url');
    expect(isLegacyRefreshToken(legacy)).toBe(true);
    expect(isLegacyRefreshToken(firstRefreshToken(key, sid).token)).toBe(false);
    const adopted = adoptLegacyRefreshToken(key, sid, legacy);
    expect(adopted.token).toBe(adoptLegacyRefreshToken(key, sid, legacy).token);
    expect(parseRefreshToken(key, adopted.token)).toMatchObject({
      sessionId: sid,
      generation: 0,
      authentic: true,
    });
  });
});
