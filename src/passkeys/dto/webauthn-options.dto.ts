import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * `PublicKeyCredentialCreationOptionsJSON` (WebAuthn L3 §5.4, the `toJSON` shape): hand it to
 * `PublicKeyCredential.parseCreationOptionsFromJSON` or @simplewebauthn/browser's
 * `startRegistration({ optionsJSON })`. Documented loosely: the browser reads it, not the app.
 */
export class PasskeyCreationOptionsDto {
  @ApiProperty({ example: { id: 'example.com', name: 'Example' } })
  rp: object;

  @ApiProperty({
    description:
      '`id` is the account’s random WebAuthn user handle (base64url), never its username or address.',
    example: { id: 'hX2i1p…', name: 'alice', displayName: 'alice' },
  })
  user: object;

  @ApiProperty({ description: 'base64url; single use, 5 minutes.' })
  challenge: string;

  @ApiProperty({ type: 'array', items: { type: 'object' } })
  pubKeyCredParams: object[];

  @ApiPropertyOptional({ example: 300000 })
  timeout?: number;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object' },
    description: 'The account’s passkeys, so an authenticator holding one is not registered twice.',
  })
  excludeCredentials?: object[];

  @ApiPropertyOptional({
    example: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
  })
  authenticatorSelection?: object;

  @ApiPropertyOptional({ example: 'none' })
  attestation?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  extensions?: object;
}

/**
 * `PublicKeyCredentialRequestOptionsJSON` (WebAuthn L3 §5.5): for
 * `PublicKeyCredential.parseRequestOptionsFromJSON` or `startAuthentication({ optionsJSON })`.
 */
export class PasskeyRequestOptionsDto {
  @ApiProperty({ description: 'base64url; single use, 5 minutes.' })
  challenge: string;

  @ApiPropertyOptional({ example: 300000 })
  timeout?: number;

  @ApiPropertyOptional({ example: 'example.com' })
  rpId?: string;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object' },
    description: 'Always empty: the browser offers the discoverable passkeys it holds.',
    example: [],
  })
  allowCredentials?: object[];

  @ApiPropertyOptional({ example: 'required' })
  userVerification?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  extensions?: object;
}

/**
 * The browser's answer (`PublicKeyCredential.toJSON()`, or what @simplewebauthn/browser returns):
 * passed on to the checks as it is.
 */
export class PublicKeyCredentialJsonDto {
  @ApiProperty({ description: 'The credential id, base64url.' })
  id: string;

  @ApiProperty({ description: 'The same id, base64url.' })
  rawId: string;

  @ApiProperty({ enum: ['public-key'] })
  type: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'For a registration: `clientDataJSON`, `attestationObject`, `transports`…; for a sign-in: `clientDataJSON`, `authenticatorData`, `signature`, `userHandle`.',
  })
  response: object;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  clientExtensionResults?: object;

  @ApiPropertyOptional({ example: 'platform' })
  authenticatorAttachment?: string;
}
