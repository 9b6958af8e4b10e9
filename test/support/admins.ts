import { UsersService } from '../../src/users/users.service.js';
import type { TestApp } from './test-app.js';
import { signUp, type TestUser } from './users.factory.js';

/** The id of a signed-up user. */
export async function idOf(app: TestApp, user: TestUser): Promise<string> {
  const found = await app.app.get(UsersService).findByUsername(user.username);
  if (!found) throw new Error(`no user ${user.username}`);
  return found.id;
}

/**
 * Signs up a user and makes them an admin straight in the store, as `npm run users -- set-role`
 * does (log in afterwards: tokens carry the roles of their login).
 */
export async function signUpAdmin(
  app: TestApp,
  user?: TestUser,
): Promise<TestUser & { id: string }> {
  const admin = await signUp(app, user);
  const id = await idOf(app, admin);
  await app.app.get(UsersService).setRoles(id, ['admin']);
  return { ...admin, id };
}
