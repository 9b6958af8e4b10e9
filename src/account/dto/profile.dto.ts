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
}

export function toProfileDto(user: User, mfaEnabled: boolean): ProfileDto {
  return { ...toUserDto(user), roles: [...user.roles], mfa_enabled: mfaEnabled };
}
