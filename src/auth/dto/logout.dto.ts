import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

export class LogoutDto {
  @ApiPropertyOptional({
    description:
      'A refresh token of yours to end as well (its session), when it is not the one of this access token.',
    maxLength: 256,
  })
  @IsOptional()
  @IsString({ message: 'refresh_token must be a string.' })
  @MaxLength(256, { message: 'refresh_token must be at most 256 characters long.' })
  refresh_token?: string;
}
