import { ApiProperty } from '@nestjs/swagger';
import type { User } from '../user.js';

/** An account as its owner sees it: never a hash or a token. */
export class UserDto {
  @ApiProperty({ format: 'uuid', example: '9b2f5f4e-3c1a-4d8e-9a57-2f6c1b0e7d41' })
  id: string;

  @ApiProperty({ example: 'john' })
  username: string;

  @ApiProperty({ format: 'email', example: 'john@example.com' })
  email: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-29T12:00:00.000Z' })
  created_at: string;

  @ApiProperty({
    description: 'Whether the owner has confirmed the address by following a link mailed to it.',
    example: false,
  })
  email_verified: boolean;
}

export function toUserDto(user: User): UserDto {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    created_at: user.createdAt.toISOString(),
    email_verified: user.emailVerifiedAt !== null,
  };
}
