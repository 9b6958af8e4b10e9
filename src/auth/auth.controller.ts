import { Body, Controller, Header, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiCreatedResponse,
} from '@nestjs/swagger';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { Public } from '../common/decorators/public.decorator.js';
import { ApiProblemResponses } from '../common/problems/api-problem-responses.decorator.js';
import { toUserDto } from '../users/dto/user.dto.js';
import type { User } from '../users/user.js';
import { AuthService } from './auth.service.js';
import { LoginDto } from './dto/login.dto.js';
import { SignupResponseDto } from './dto/signup-response.dto.js';
import { SignupDto } from './dto/signup.dto.js';
import { TokenResponseDto } from './dto/token-response.dto.js';
import { LocalAuthGuard } from './guards/local-auth.guard.js';

const BAD_BODY = [
  { kind: 'malformedRequest', detail: 'The request body could not be parsed.' },
  { kind: 'payloadTooLarge' },
  { kind: 'unsupportedMediaType' },
] as const;

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('signup')
  @ApiOperation({ summary: 'Create an account' })
  @ApiCreatedResponse({ type: SignupResponseDto })
  @ApiProblemResponses(
    ...BAD_BODY,
    { kind: 'usernameTaken', detail: 'Username already taken' },
    { kind: 'emailTaken', detail: 'Email already registered' },
    { kind: 'validation', detail: 'password must be at least 8 characters long.' },
  )
  async signup(@Body() dto: SignupDto): Promise<SignupResponseDto> {
    const user = await this.auth.signup(dto);
    return { message: 'User registered successfully', user: toUserDto(user) };
  }

  @Public()
  @UseGuards(LocalAuthGuard)
  @Post('login')
  @HttpCode(200)
  // RFC 6749 §5.1: token responses must not be cached.
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  @ApiOperation({
    summary: 'Log in: JSON, or the OAuth2 password grant (RFC 6749 §4.3)',
    description:
      "Takes the tutorial's JSON body (`email` may be sent and is ignored) or the OAuth2 form `grant_type=password&username=…&password=…`. Client credentials (`client_id`, `client_secret`, or HTTP Basic) and `scope` are accepted and ignored.",
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ type: LoginDto })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiProblemResponses(
    ...BAD_BODY,
    { kind: 'unsupportedGrantType', detail: 'Only grant_type=password is accepted here.' },
    { kind: 'invalidCredentials', detail: 'Invalid username or password' },
    { kind: 'validation', detail: 'username must not be empty.' },
  )
  login(@CurrentUser() user: User): TokenResponseDto {
    return this.auth.login(user);
  }
}
