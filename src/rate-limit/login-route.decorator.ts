import { SetMetadata } from '@nestjs/common';

export const LOGIN_ROUTE_KEY = 'rate-limit:login-route';

/**
 * Marks the route where a password login is tried: a request to it that IpRateLimitGuard turns
 * away is audited as `login_limited`, as the per-account limits are.
 */
export const LoginRoute = (): MethodDecorator => SetMetadata(LOGIN_ROUTE_KEY, true);
