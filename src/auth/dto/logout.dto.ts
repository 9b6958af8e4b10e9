import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

export class LogoutDto {
  // Any string is taken, as at the token endpoints: one that is not a refresh token of the
  // caller's is ignored.
  @ApiPropertyOptional({
    description:
      'A refresh token of yours to end as well (its session), when it is not the one of this access token.',
  })
  @IsOptional()
  @IsString({ message: 'refresh_token must be a string.' })
  refresh_token?: string;
}
