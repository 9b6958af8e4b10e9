/**
 * How deep a request body may nest. Our bodies are flat objects of strings (depth 1); the bound
 * leaves room for lists of objects without letting a recursive walker (class-transformer,
 * class-validator) blow the stack on `[[[[…]]]]` 20,000 levels deep, which fits in 40 KB.
 */
export const MAX_BODY_DEPTH = 16;

/** True when `value` nests objects or arrays deeper than `limit`; iterative, so it cannot overflow. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue;
    const depth = next.depth + 1;
    if (depth > limit) return true;
    for (const child of Object.values(next.value)) pending.push({ value: child, depth });
  }
  return false;
}
