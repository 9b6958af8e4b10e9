import { ApiProperty } from '@nestjs/swagger';
import { toUserDto, UserDto } from '../../users/dto/user.dto.js';
import type { User } from '../../users/user.js';

/** The caller's account, with what it may do. */
export class ProfileDto extends UserDto {
  @ApiProperty({
    type: [String],
    description:
      '`user` (everyone has it) first, then the others, such as `admin`. Access tokens carry the same list in their `roles` claim.',
    example: ['user'],
  })
  roles: string[];

  @ApiProperty({ description: 'Whether two-factor login (TOTP) is on.', example: false })
  mfa_enabled: boolean;

  @ApiProperty({
    type: [String],
    description:
      'The ways this account can sign in: `password` first when it has one, then `oidc:<provider id>` once for each provider (of `GET /oauth/providers`) it has an identity at, in the order they were linked, then `passkey` when it has one or more passkeys (and passkeys are on). An identity of a provider no longer configured is not a way in (it is still listed by `GET /me/identities`). The last one cannot be removed.',
    example: ['password', 'oidc:acme', 'passkey'],
  })
  sign_in_methods: string[];
}

export function toProfileDto(
  user: User,
  mfaEnabled: boolean,
  signInMethods: readonly string[],
): ProfileDto {
  return {
    ...toUserDto(user),
    roles: [...user.roles],
    mfa_enabled: mfaEnabled,
    sign_in_methods: [...signInMethods],
  };
}
