import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsString, Matches } from 'class-validator';
import { ROLE_NAME_PATTERN } from '../../config/roles.js';

export class SetRolesDto {
  @ApiProperty({
    type: [String],
    description:
      'The account’s roles from now on: names among `user`, `admin` and those `ROLES` adds. `user` is everyone’s and implied, so `[]` and `["user"]` both make a plain user.',
    maxItems: 16,
    items: { type: 'string', pattern: ROLE_NAME_PATTERN.source },
    example: ['admin'],
  })
  @IsArray({ message: 'roles must be a list of role names.' })
  @ArrayMaxSize(16, { message: 'roles must name at most 16 roles.' })
  @IsString({ each: true, message: 'roles must be a list of role names.' })
  @Matches(ROLE_NAME_PATTERN, { each: true, message: 'roles must be a list of role names.' })
  roles: string[];
}
