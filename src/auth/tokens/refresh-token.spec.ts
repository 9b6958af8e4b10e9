import { createSecretKey, randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { deriveRefreshToken, generateRefreshToken, hashRefreshToken } from './refresh-token.js';

describe('refresh tokens', () => {
  const key = createSecretKey(randomBytes(32));

  it('derives a successor shaped like a generated token: 256 bits, base64url', () => {
    const first = generateRefreshToken();
    const child = deriveRefreshToken(key, first);
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(child).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(child).not.toBe(first);
  });

  it('derives the same successor on every instance holding the key, and another under another key', () => {
    const parent = generateRefreshToken();
    const sameKey = createSecretKey(key.export());
    expect(deriveRefreshToken(sameKey, parent)).toBe(deriveRefreshToken(key, parent));
    expect(deriveRefreshToken(createSecretKey(randomBytes(32)), parent)).not.toBe(
      deriveRefreshToken(key, parent),
    );
  });

  it('gives every generation a token of its own', () => {
    const chain = [generateRefreshToken()];
    for (let i = 0; i < 100; i++) chain.push(deriveRefreshToken(key, chain.at(-1)!));
    expect(new Set(chain).size).toBe(chain.length);
    expect(new Set(chain.map(hashRefreshToken)).size).toBe(chain.length);
  });
});
