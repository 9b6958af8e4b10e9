import { ApiProperty } from '@nestjs/swagger';
import { PASSKEY_TRANSPORTS, type Passkey, type PasskeyTransport } from '../passkey.js';

/** A passkey as its owner and admins see it: never its key or credential id. */
export class PasskeyDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ description: 'The owner’s name for it.', example: 'Work laptop' })
  name: string;

  @ApiProperty({ format: 'date-time', description: 'When it was registered.' })
  created_at: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'The last sign-in with it; null until the first.',
  })
  last_used_at: string | null;

  @ApiProperty({
    enum: PASSKEY_TRANSPORTS,
    isArray: true,
    description:
      'How the browser said it reaches the authenticator (`internal`, `hybrid`, `usb`, …).',
    example: ['internal', 'hybrid'],
  })
  transports: PasskeyTransport[];

  @ApiProperty({
    description:
      'Whether it is backed up (synced by a password manager or a phone’s account), as of its last use.',
    example: true,
  })
  backed_up: boolean;
}

export class PasskeyListDto {
  @ApiProperty({ type: [PasskeyDto], description: 'Oldest first.' })
  passkeys: PasskeyDto[];
}

export function toPasskeyDto(passkey: Passkey): PasskeyDto {
  return {
    id: passkey.id,
    name: passkey.name,
    created_at: passkey.createdAt.toISOString(),
    last_used_at: passkey.lastUsedAt?.toISOString() ?? null,
    transports: [...passkey.transports],
    backed_up: passkey.backedUp,
  };
}
