import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import {
  IsCurrentPassword,
  IsSecondFactorCodeWhenEnabled,
} from '../../auth/dto/current-password.decorator.js';
import { PublicKeyCredentialJsonDto } from '../../passkeys/dto/webauthn-options.dto.js';

/** A name without control characters, trimmed: what a list of passkeys shows. */
const NAME = /^[^\p{Cc}]*$/u;
const trim = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;

/** POST /me/passkeys/options: the proof of identity registering asks for. */
export class PasskeyOptionsRequestDto {
  @IsCurrentPassword()
  current_password?: string;

  @IsSecondFactorCodeWhenEnabled()
  code?: string;
}

/** POST /me/passkeys: the browser's answer to the creation options, and a name for the passkey. */
export class AddPasskeyDto {
  @ApiProperty({
    type: PublicKeyCredentialJsonDto,
    description: 'What `navigator.credentials.create()` gave, as `PublicKeyCredential.toJSON()`.',
  })
  @IsObject({ message: 'response must be an object.' })
  response: Record<string, unknown>;

  @ApiPropertyOptional({
    maxLength: 64,
    example: 'Work laptop',
    description: 'Default: “Passkey”.',
  })
  @IsOptional()
  @Transform(trim)
  @IsString({ message: 'name must be a string.' })
  @IsNotEmpty({ message: 'name must not be empty.' })
  @MaxLength(64, { message: 'name must be at most 64 characters long.' })
  @Matches(NAME, { message: 'name must not contain control characters.' })
  name?: string;
}

/** PATCH /me/passkeys/{id}. */
export class RenamePasskeyDto {
  @ApiProperty({ maxLength: 64, example: 'Work laptop' })
  @Transform(trim)
  @IsString({ message: 'name must be a string.' })
  @IsNotEmpty({ message: 'name must not be empty.' })
  @MaxLength(64, { message: 'name must be at most 64 characters long.' })
  @Matches(NAME, { message: 'name must not contain control characters.' })
  name: string;
}
