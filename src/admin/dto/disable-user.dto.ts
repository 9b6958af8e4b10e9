import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

export class DisableUserDto {
  @ApiPropertyOptional({
    description: 'Why, for the other admins (shown as `disabled_reason`).',
    maxLength: 500,
    example: 'Chargeback fraud, ticket #4711',
  })
  @IsOptional()
  @IsString({ message: 'reason must be a string.' })
  @MaxLength(500, { message: 'reason must be at most 500 characters long.' })
  reason?: string;
}
