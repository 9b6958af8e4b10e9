import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import {
  IsCurrentPassword,
  IsSecondFactorCodeWhenEnabled,
} from '../../auth/dto/current-password.decorator.js';
import { S256_CHALLENGE } from '../../auth/pkce.js';

/** POST /me/identities/{provider}: where to come back to, the app's PKCE challenge, and proof. */
export class BeginIdentityLinkDto {
  @ApiProperty({
    description: 'Exactly one of `LOGIN_REDIRECT_URIS`: the browser comes back there with `code`.',
    example: 'https://app.example/identities/linked',
  })
  @IsString({ message: 'redirect_uri must be a string.' })
  @IsNotEmpty({ message: 'redirect_uri must not be empty.' })
  @MaxLength(2048, { message: 'redirect_uri must be at most 2048 characters long.' })
  redirect_uri: string;

  @ApiProperty({
    description: 'BASE64URL(SHA-256(code_verifier)) (RFC 7636, S256).',
    pattern: S256_CHALLENGE.source,
    example: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  })
  @IsString({ message: 'code_challenge must be a string.' })
  @Matches(S256_CHALLENGE, {
    message: 'code_challenge must be the base64url SHA-256 of a PKCE code verifier (RFC 7636).',
  })
  code_challenge: string;

  @IsCurrentPassword()
  current_password?: string;

  @IsSecondFactorCodeWhenEnabled()
  code?: string;
}

export class AuthorizationUrlDto {
  @ApiProperty({
    description:
      'The provider’s authorization URL: send the browser there (a navigation, not a fetch).',
    example: 'https://idp.example/authorize?client_id=auth-service&response_type=code&…',
  })
  authorization_url: string;
}

/** POST /me/identities/{provider}/complete: the code from the redirect URI, and the verifier. */
export class CompleteIdentityLinkDto {
  @ApiProperty({
    description: 'The `code` the app received on its redirect URI (single use, 60 s).',
  })
  @IsString({ message: 'code must be a string.' })
  @IsNotEmpty({ message: 'code must not be empty.' })
  @MaxLength(256, { message: 'code must be at most 256 characters long.' })
  code: string;

  @ApiProperty({
    description: 'The PKCE verifier whose S256 challenge started the link (RFC 7636).',
    minLength: 43,
    maxLength: 128,
  })
  @IsString({ message: 'code_verifier must be a string.' })
  @IsNotEmpty({ message: 'code_verifier must not be empty.' })
  @MaxLength(256, { message: 'code_verifier must be at most 256 characters long.' })
  code_verifier: string;
}
