import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOAuth2, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedUser } from '../auth/tokens/access-token.claims.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { ApiProblemResponses } from '../common/problems/api-problem-responses.decorator.js';
import { MessageDto } from './message.dto.js';

@ApiTags('protected')
@ApiOAuth2([], 'oauth2')
@ApiBearerAuth('bearer')
@Controller('protected')
export class ProtectedController {
  @Get()
  @ApiOperation({ summary: "The tutorial's protected route: greets the token's user" })
  @ApiOkResponse({ type: MessageDto })
  @ApiProblemResponses(
    { kind: 'unauthenticated', detail: 'Not authenticated', description: 'No token' },
    { kind: 'invalidToken', detail: 'Invalid token', description: 'Bad token' },
    { kind: 'tokenExpired', detail: 'Token expired', description: 'Expired token' },
  )
  greet(@CurrentUser() user: AuthenticatedUser): MessageDto {
    return { message: `Hello ${user.username}, welcome to the protected route!` };
  }
}
