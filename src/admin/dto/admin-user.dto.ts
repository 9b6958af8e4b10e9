import { IdentityDto } from '../../identities/dto/identity.dto.js';
import { PasskeyDto } from '../../passkeys/dto/passkey.dto.js';
import { ApiProperty } from '@nestjs/swagger';
import type { User } from '../../users/user.js';

/** An account as an admin sees it: never a hash or a token. */
export class AdminUserDto {
  @ApiProperty({ format: 'uuid', example: '9b2f5f4e-3c1a-4d8e-9a57-2f6c1b0e7d41' })
  id: string;

  @ApiProperty({ example: 'john' })
  username: string;

  @ApiProperty({ format: 'email', example: 'john@example.com' })
  email: string;

  @ApiProperty({
    type: [String],
    description: '`user` (everyone has it) first, then the others.',
    example: ['user', 'admin'],
  })
  roles: string[];

  @ApiProperty({ format: 'date-time', example: '2026-11-29T12:00:00.000Z' })
  created_at: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  disabled_at: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  disabled_reason: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2026-11-30T08:15:00.000Z',
  })
  last_login_at: string | null;
}

export class AdminUserDetailDto extends AdminUserDto {
  @ApiProperty({ description: 'Sessions neither ended nor expired.', example: 2 })
  active_sessions: number;

  @ApiProperty({
    type: [IdentityDto],
    description:
      'Identities at sign-in providers linked to the account, oldest first (those of providers no longer configured too).',
  })
  identities: IdentityDto[];

  @ApiProperty({
    type: [PasskeyDto],
    description: 'Passkeys registered to the account, oldest first.',
  })
  passkeys: PasskeyDto[];
}

export function toAdminUserDto(user: User): AdminUserDto {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    roles: [...user.roles],
    created_at: user.createdAt.toISOString(),
    disabled_at: user.disabledAt?.toISOString() ?? null,
    disabled_reason: user.disabledReason,
    last_login_at: user.lastLoginAt?.toISOString() ?? null,
  };
}
