import { readFileSync } from 'node:fs';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/decorators/public.decorator.js';

const read = (name: string): string =>
  readFileSync(new URL(`./pages/${name}`, import.meta.url), 'utf8');

/** Read once: they never change while the process runs. */
const PAGES = {
  reset: read('reset-password.html'),
  verify: read('verify-email.html'),
  script: read('account-pages.js'),
  style: read('account-pages.css'),
};

const HTML = 'text/html; charset=utf-8';

/**
 * The small pages our mailed links open when PASSWORD_RESET_URL / EMAIL_VERIFY_URL are not set.
 * Plain HTML with their own script and style (no inline code, nothing third-party) under the
 * service's strict CSP. The token rides in the fragment (`#token=…`), which browsers never send:
 * it reaches no server log, no proxy and no Referer.
 */
@ApiTags('account recovery')
@Public()
@Controller()
export class AccountRecoveryPagesController {
  @Get('password/reset')
  @Header('Content-Type', HTML)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'The page a reset link opens: asks for the new password twice' })
  @ApiProduces('text/html')
  @ApiResponse({
    status: 200,
    description: 'The page',
    content: { 'text/html': { schema: { type: 'string' } } },
  })
  resetPage(): string {
    return PAGES.reset;
  }

  @Get('email/verify')
  @Header('Content-Type', HTML)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'The page an email link opens: confirms the address with one click' })
  @ApiProduces('text/html')
  @ApiResponse({
    status: 200,
    description: 'The page',
    content: { 'text/html': { schema: { type: 'string' } } },
  })
  verifyPage(): string {
    return PAGES.verify;
  }

  @Get('pages/account-pages.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ summary: 'The script of the account pages' })
  @ApiProduces('text/javascript')
  @ApiResponse({
    status: 200,
    description: 'The script',
    content: { 'text/javascript': { schema: { type: 'string' } } },
  })
  script(): string {
    return PAGES.script;
  }

  @Get('pages/account-pages.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ summary: 'The style sheet of the account pages' })
  @ApiProduces('text/css')
  @ApiResponse({
    status: 200,
    description: 'The style sheet',
    content: { 'text/css': { schema: { type: 'string' } } },
  })
  style(): string {
    return PAGES.style;
  }
}
