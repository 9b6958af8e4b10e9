/** Everyone's role: every account has it, so it is never stored and never removed. */
export const USER_ROLE = 'user';
/** May use the admin API (`@Roles(ADMIN_ROLE)`); the last enabled one cannot be removed. */
export const ADMIN_ROLE = 'admin';
export const BUILT_IN_ROLES: readonly string[] = [USER_ROLE, ADMIN_ROLE];

/** Lower-case ASCII, so a role name reads the same in a token, a URL and a log line. */
export const ROLE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

/** A set of roles as the service keeps and shows it: `user` first, the rest sorted, no repeats. */
export function normalizeRoles(roles: Iterable<string>): string[] {
  const others = [...new Set(roles)].filter((role) => role !== USER_ROLE).sort();
  return [USER_ROLE, ...others];
}
