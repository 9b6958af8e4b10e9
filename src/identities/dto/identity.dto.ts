import { ApiProperty } from '@nestjs/swagger';
import type { Identity } from '../identity.js';

/** An identity as its owner and admins see it: never the provider's subject or issuer. */
export class IdentityDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({
    description:
      'The provider’s id (of `GET /oauth/providers`). One no longer configured is listed, but signs nobody in.',
    example: 'acme',
  })
  provider: string;

  @ApiProperty({
    description: 'The address the provider gave when the identity was linked.',
    example: 'alice@example.com',
  })
  email: string;

  @ApiProperty({ format: 'date-time', description: 'When it was linked.' })
  created_at: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'The last sign-in through it; null until the first.',
  })
  last_used_at: string | null;
}

export class IdentityListDto {
  @ApiProperty({ type: [IdentityDto], description: 'Oldest first.' })
  identities: IdentityDto[];
}

export function toIdentityDto(identity: Identity): IdentityDto {
  return {
    id: identity.id,
    provider: identity.provider,
    email: identity.email,
    created_at: identity.createdAt.toISOString(),
    last_used_at: identity.lastUsedAt?.toISOString() ?? null,
  };
}
