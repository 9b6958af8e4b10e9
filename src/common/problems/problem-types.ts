/**
 * Every kind of error this service answers, each with a fixed `type` URI so clients branch on it,
 * not on wording. Add a kind here, never an ad-hoc string at a throw site.
 */
export const PROBLEM_TYPES = {
  malformedRequest: {
    type: '/problems/malformed-request',
    title: 'Malformed request',
    status: 400,
  },
  invalidRequest: { type: '/problems/invalid-request', title: 'Invalid request', status: 400 },
  unsupportedGrantType: {
    type: '/problems/unsupported-grant-type',
    title: 'Unsupported grant type',
    status: 400,
  },
  unauthenticated: { type: '/problems/unauthenticated', title: 'Not authenticated', status: 401 },
  invalidToken: { type: '/problems/invalid-token', title: 'Invalid token', status: 401 },
  tokenExpired: { type: '/problems/token-expired', title: 'Token expired', status: 401 },
  tokenRevoked: { type: '/problems/token-revoked', title: 'Token revoked', status: 401 },
  invalidRefreshToken: {
    type: '/problems/invalid-refresh-token',
    title: 'Invalid refresh token',
    status: 401,
  },
  invalidCredentials: {
    type: '/problems/invalid-credentials',
    title: 'Invalid credentials',
    status: 401,
  },
  invalidClient: {
    type: '/problems/invalid-client',
    title: 'Invalid client',
    status: 401,
  },
  invalidMfaCode: { type: '/problems/invalid-mfa-code', title: 'Invalid code', status: 401 },
  invalidPasskey: {
    type: '/problems/invalid-passkey',
    title: 'Invalid passkey sign-in',
    status: 401,
  },
  invalidMfaToken: {
    type: '/problems/invalid-mfa-token',
    title: 'Invalid MFA token',
    status: 401,
  },
  mfaRequired: { type: '/problems/mfa-required', title: 'Second factor required', status: 403 },
  wrongMfaCode: { type: '/problems/wrong-mfa-code', title: 'Wrong code', status: 403 },
  invalidTokenLink: {
    type: '/problems/invalid-token-link',
    title: 'Invalid or expired link',
    status: 400,
  },
  forbidden: { type: '/problems/forbidden', title: 'Forbidden', status: 403 },
  originNotAllowed: {
    type: '/problems/origin-not-allowed',
    title: 'Origin not allowed',
    status: 403,
  },
  emailNotVerified: {
    type: '/problems/email-not-verified',
    title: 'Email not verified',
    status: 403,
  },
  wrongPassword: { type: '/problems/wrong-password', title: 'Wrong password', status: 403 },
  reauthenticationRequired: {
    type: '/problems/reauthentication-required',
    title: 'Re-authentication required',
    status: 403,
  },
  notFound: { type: '/problems/not-found', title: 'Not found', status: 404 },
  methodNotAllowed: {
    type: '/problems/method-not-allowed',
    title: 'Method not allowed',
    status: 405,
  },
  mfaAlreadyEnabled: {
    type: '/problems/mfa-already-enabled',
    title: 'Two-factor login is on',
    status: 409,
  },
  mfaNotPending: {
    type: '/problems/mfa-not-pending',
    title: 'No enrolment to confirm',
    status: 409,
  },
  mfaNotEnabled: {
    type: '/problems/mfa-not-enabled',
    title: 'Two-factor login is off',
    status: 409,
  },
  usernameTaken: { type: '/problems/username-taken', title: 'Username taken', status: 409 },
  emailTaken: { type: '/problems/email-taken', title: 'Email registered', status: 409 },
  lastAdmin: { type: '/problems/last-admin', title: 'Last admin', status: 409 },
  passkeyAlreadyRegistered: {
    type: '/problems/passkey-already-registered',
    title: 'Passkey already registered',
    status: 409,
  },
  lastSignInMethod: {
    type: '/problems/last-sign-in-method',
    title: 'Last way to sign in',
    status: 409,
  },
  identityAlreadyLinked: {
    type: '/problems/identity-already-linked',
    title: 'Identity already linked',
    status: 409,
  },
  identityLinkedElsewhere: {
    type: '/problems/identity-linked-elsewhere',
    title: 'Identity linked to another account',
    status: 409,
  },
  payloadTooLarge: { type: '/problems/payload-too-large', title: 'Payload too large', status: 413 },
  uriTooLong: { type: '/problems/uri-too-long', title: 'URI too long', status: 414 },
  unsupportedMediaType: {
    type: '/problems/unsupported-media-type',
    title: 'Unsupported media type',
    status: 415,
  },
  validation: { type: '/problems/validation-error', title: 'Validation failed', status: 422 },
  tooManyRequests: {
    type: '/problems/too-many-requests',
    title: 'Too many requests',
    status: 429,
  },
  badRequest: { type: '/problems/bad-request', title: 'Bad request', status: 400 },
  unknownProvider: {
    type: '/problems/unknown-provider',
    title: 'Unknown identity provider',
    status: 400,
  },
  redirectUriNotAllowed: {
    type: '/problems/redirect-uri-not-allowed',
    title: 'Redirect URI not allowed',
    status: 400,
  },
  invalidSignInFlow: {
    type: '/problems/invalid-sign-in-flow',
    title: 'Invalid sign-in flow',
    status: 400,
  },
  invalidPasskeyRegistration: {
    type: '/problems/invalid-passkey-registration',
    title: 'Invalid passkey registration',
    status: 400,
  },
  invalidAuthorizationCode: {
    type: '/problems/invalid-authorization-code',
    title: 'Invalid authorization code',
    status: 400,
  },
  invalidLinkCode: {
    type: '/problems/invalid-link-code',
    title: 'Invalid link code',
    status: 400,
  },
  internal: { type: '/problems/internal-error', title: 'Internal server error', status: 500 },
  notReady: { type: '/problems/not-ready', title: 'Service not ready', status: 503 },
  mfaNotConfigured: {
    type: '/problems/mfa-not-configured',
    title: 'Two-factor login not configured',
    status: 503,
  },
  serviceBusy: { type: '/problems/service-busy', title: 'Service busy', status: 503 },
  dependencyUnavailable: {
    type: '/problems/dependency-unavailable',
    title: 'Dependency unavailable',
    status: 503,
  },
  providerUnavailable: {
    type: '/problems/provider-unavailable',
    title: 'Identity provider unavailable',
    status: 503,
  },
  mailNotConfigured: {
    type: '/problems/mail-not-configured',
    title: 'Mail not configured',
    status: 503,
  },
} as const satisfies Record<string, { type: string; title: string; status: number }>;

export type ProblemKind = keyof typeof PROBLEM_TYPES;

const KIND_FOR_BARE_STATUS: Readonly<Record<number, ProblemKind>> = {
  400: 'badRequest',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'notFound',
  405: 'methodNotAllowed',
  413: 'payloadTooLarge',
  415: 'unsupportedMediaType',
  422: 'validation',
  429: 'tooManyRequests',
};

/** The kind to answer with for a bare HTTP status (framework errors that carry only a status). */
export function problemKindForStatus(status: number): ProblemKind {
  return KIND_FOR_BARE_STATUS[status] ?? (status >= 500 ? 'internal' : 'badRequest');
}
