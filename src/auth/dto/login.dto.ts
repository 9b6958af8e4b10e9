import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { OAuthClientFieldsDto } from './oauth-client-fields.dto.js';

/**
 * The tutorial's JSON body, and the OAuth2 password grant form (RFC 6749 §4.3.2). Extra fields
 * (`email` from the tutorial's client) are ignored; we only have public clients, so client
 * credentials and scope are accepted and ignored too.
 */
export class LoginDto extends OAuthClientFieldsDto {
  @ApiPropertyOptional({
    description:
      'Required by the OAuth2 form (`password`); optional in JSON. `refresh_token` takes the refresh grant instead (see RefreshDto).',
    enum: ['password'],
  })
  @IsOptional()
  @IsString()
  grant_type?: string;

  @ApiProperty({ example: 'john', maxLength: 256 })
  @IsString({ message: 'username must be a string.' })
  @IsNotEmpty({ message: 'username must not be empty.' })
  @MaxLength(256, { message: 'username must be at most 256 characters long.' })
  username: string;

  @ApiProperty({ example: 'correct-horse-battery-staple', format: 'password', maxLength: 1024 })
  @IsString({ message: 'password must be a string.' })
  @IsNotEmpty({ message: 'password must not be empty.' })
  @MaxLength(1024, { message: 'password must be at most 1024 characters long.' })
  password: string;
}
