import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiBearer } from '../auth/guards/api-bearer.decorator.js';
import type { AuthenticatedUser } from '../tokens/access-token.claims.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { MessageDto } from './message.dto.js';

@ApiTags('protected')
@ApiBearer()
@Controller('protected')
export class ProtectedController {
  @Get()
  @ApiOperation({ summary: "The tutorial's protected route: greets the token's user" })
  @ApiOkResponse({ type: MessageDto })
  greet(@CurrentUser() user: AuthenticatedUser): MessageDto {
    return { message: `Hello ${user.username}, welcome to the protected route!` };
  }
}
