import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

/**
 * What OAuth2 clients (Swagger UI included) send to a token endpoint besides the grant: client
 * credentials and scope. We only have public clients and tokens carry no scopes, so these are
 * accepted and ignored (RFC 6749 §2.3, §3.3).
 */
export abstract class OAuthClientFieldsDto {
  @ApiPropertyOptional({ description: 'Accepted and ignored (public clients only).' })
  @IsOptional()
  @IsString()
  client_id?: string;

  @ApiPropertyOptional({ description: 'Accepted and ignored (public clients only).' })
  @IsOptional()
  @IsString()
  client_secret?: string;

  @ApiPropertyOptional({ description: 'Accepted and ignored: tokens carry no scopes.' })
  @IsOptional()
  @IsString()
  scope?: string;
}
