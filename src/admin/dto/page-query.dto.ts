import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

export const PAGE_MAX_LIMIT = 100;
export const PAGE_DEFAULT_LIMIT = 20;

/** `limit` and `cursor`, as /me/activity takes them. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: PAGE_MAX_LIMIT, default: PAGE_DEFAULT_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number.' })
  @Min(1, { message: 'limit must be at least 1.' })
  @Max(PAGE_MAX_LIMIT, { message: `limit must be at most ${PAGE_MAX_LIMIT}.` })
  limit?: number;

  @ApiPropertyOptional({
    description: 'The `next_cursor` of the previous page.',
    maxLength: 256,
    pattern: '^[A-Za-z0-9_-]+$',
  })
  @IsOptional()
  @IsString({ message: 'cursor is not one this service gave out.' })
  @Matches(/^[A-Za-z0-9_-]{1,256}$/, { message: 'cursor is not one this service gave out.' })
  cursor?: string;
}

export const BAD_CURSOR = {
  field: 'cursor',
  pointer: '#/cursor',
  detail: 'cursor is not one this service gave out.',
} as const;
