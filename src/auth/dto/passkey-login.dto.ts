import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsObject, IsString, MaxLength } from 'class-validator';
import {
  PasskeyRequestOptionsDto,
  PublicKeyCredentialJsonDto,
} from '../../passkeys/dto/webauthn-options.dto.js';

/** POST /login/passkey/options: the challenge's id and the options for the browser. */
export class PasskeyLoginOptionsDto {
  @ApiProperty({
    format: 'uuid',
    description: 'Send it back with the browser’s answer: single use, 5 minutes.',
  })
  challenge_id: string;

  @ApiProperty({ type: PasskeyRequestOptionsDto })
  options: PasskeyRequestOptionsDto;
}

/** POST /login/passkey: the browser's answer to those options. */
export class PasskeyLoginDto {
  // Any string is an id to look up: one that names no live challenge answers 401 invalid_grant.
  @ApiProperty({ format: 'uuid', description: 'From `POST /login/passkey/options`.' })
  @IsString({ message: 'challenge_id must be a string.' })
  @IsNotEmpty({ message: 'challenge_id must not be empty.' })
  @MaxLength(100, { message: 'challenge_id must be at most 100 characters long.' })
  challenge_id: string;

  @ApiProperty({
    type: PublicKeyCredentialJsonDto,
    description: 'What `navigator.credentials.get()` gave, as `PublicKeyCredential.toJSON()`.',
  })
  @IsObject({ message: 'response must be an object.' })
  response: Record<string, unknown>;
}
