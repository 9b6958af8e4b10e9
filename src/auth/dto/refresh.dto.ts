import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString } from 'class-validator';
import { OAuthClientFieldsDto } from './oauth-client-fields.dto.js';

/** JSON `{refresh_token}`, or the OAuth2 refresh grant form (RFC 6749 §6). */
export class RefreshDto extends OAuthClientFieldsDto {
  @ApiPropertyOptional({
    description: 'Required by the OAuth2 form (`refresh_token`); optional in JSON to /refresh.',
    enum: ['refresh_token'],
  })
  @IsOptional()
  @IsString()
  grant_type?: string;

  // No length limit of its own: any string that is not a live refresh token of ours is
  // 401 invalid_grant (RFC 6749 §5.2), so that a client knows to log in again.
  @ApiProperty({
    description:
      'The refresh token from /login or the last /refresh. A browser holding the refresh token cookie (`REFRESH_TOKEN_COOKIE=on`) leaves it out, at /refresh.',
  })
  @IsString({ message: 'refresh_token must be a string.' })
  @IsNotEmpty({ message: 'refresh_token must not be empty.' })
  refresh_token: string;

  /**
   * The body of nearly every refresh, recognised without a class-validator pass (see
   * createValidationPipe): an object whose own `refresh_token` is a non-empty string and whose
   * other fields above are strings when present; other fields dropped, as the pipe's whitelist
   * does. Undefined for anything else, which the decorators then judge.
   */
  static fromValidBody(body: unknown): RefreshDto | undefined {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
    const field = (name: keyof RefreshDto): unknown =>
      Object.hasOwn(body, name) ? (body as Record<string, unknown>)[name] : undefined;
    const dto = new RefreshDto();
    for (const name of PLAIN_FIELDS) {
      const value = field(name);
      if (value === undefined) continue;
      if (typeof value !== 'string') return undefined;
      dto[name] = value;
    }
    return dto.refresh_token ? dto : undefined;
  }
}

/** Every field of RefreshDto: strings, all optional but `refresh_token` (checked after). */
const PLAIN_FIELDS = [
  'grant_type',
  'refresh_token',
  'client_id',
  'client_secret',
  'scope',
] as const satisfies readonly (keyof RefreshDto)[];
