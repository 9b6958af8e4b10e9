import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { OAuthClientFieldsDto } from './oauth-client-fields.dto.js';

/** The second step of a login (JSON or form): the mfa_token and a code or a recovery code. */
export class MfaLoginDto extends OAuthClientFieldsDto {
  // Any string is a token to check: one that is not live answers 401 invalid-mfa-token.
  @ApiProperty({ description: 'From the 403 mfa_required answer of /login.' })
  @IsString({ message: 'mfa_token must be a string.' })
  @IsNotEmpty({ message: 'mfa_token must not be empty.' })
  mfa_token: string;

  @ApiPropertyOptional({ description: 'The 6 digits the app shows.', example: '492039' })
  @ValidateIf((dto: MfaLoginDto) => dto.recovery_code === undefined)
  @IsString({ message: 'code or recovery_code is required.' })
  @IsNotEmpty({ message: 'code must not be empty.' })
  @MaxLength(64, { message: 'code must be at most 64 characters long.' })
  code?: string;

  @ApiPropertyOptional({ description: 'One of the recovery codes, instead of `code`.' })
  @IsOptional()
  @IsString({ message: 'recovery_code must be a string.' })
  @MaxLength(64, { message: 'recovery_code must be at most 64 characters long.' })
  recovery_code?: string;
}
