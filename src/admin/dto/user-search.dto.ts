import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ROLE_NAME_PATTERN } from '../../config/roles.js';
import { AdminUserDto } from './admin-user.dto.js';
import { PageQueryDto } from './page-query.dto.js';

export class UserSearchQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'The start of the username or of the email, in any case.',
    maxLength: 254,
  })
  @IsOptional()
  @IsString({ message: 'q must be a string.' })
  @MaxLength(254, { message: 'q must be at most 254 characters long.' })
  q?: string;

  @ApiPropertyOptional({
    description: 'Only accounts with this role: `user` (everyone), `admin`, or one of `ROLES`.',
    pattern: ROLE_NAME_PATTERN.source,
  })
  @IsOptional()
  @IsString({ message: 'role must be a string.' })
  @Matches(ROLE_NAME_PATTERN, { message: 'role must be a role name.' })
  role?: string;

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: 'Only disabled (`true`) or only enabled (`false`) accounts.',
  })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'disabled must be true or false.' })
  disabled?: 'true' | 'false';
}

export class UserPageDto {
  @ApiProperty({ type: [AdminUserDto], description: 'By username.' })
  users: AdminUserDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last page.',
  })
  next_cursor: string | null;
}

/** The cursor is the last username key of a page, opaque to clients. */
export function encodeUserCursor(usernameKey: string): string {
  return Buffer.from(usernameKey, 'utf8').toString('base64url');
}

/** Undefined for anything encodeUserCursor did not make. */
export function decodeUserCursor(cursor: string): string | undefined {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  return key && encodeUserCursor(key) === cursor ? key : undefined;
}
