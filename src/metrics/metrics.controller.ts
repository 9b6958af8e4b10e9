import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Header, Headers } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/decorators/public.decorator.js';
import { ApiProblemResponses } from '../common/problems/api-problem-responses.decorator.js';
import { ProblemException } from '../common/problems/problem.exception.js';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from './metrics.service.js';

/** Prometheus scrapes this; only registered with METRICS_ENABLED=1. */
@ApiTags('operations')
@Public()
@Controller('metrics')
export class MetricsController {
  private readonly token: Buffer | undefined;

  constructor(
    private readonly metrics: MetricsService,
    config: AppConfig,
  ) {
    this.token = config.metrics.token ? Buffer.from(`Bearer ${config.metrics.token}`) : undefined;
  }

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Prometheus metrics (with METRICS_ENABLED=1)',
    description: 'Behind `Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set.',
  })
  @ApiHeader({ name: 'Authorization', required: false, description: 'Bearer METRICS_TOKEN' })
  @ApiOkResponse({ description: 'The Prometheus text format.' })
  @ApiProblemResponses({ kind: 'unauthenticated', detail: 'Not authenticated' })
  scrape(@Headers('authorization') authorization: string | undefined): Promise<string> {
    if (this.token && !matches(authorization, this.token)) {
      throw new ProblemException('unauthenticated', 'Not authenticated', {
        headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' },
      });
    }
    return this.metrics.registry.metrics();
  }
}

function matches(given: string | undefined, expected: Buffer): boolean {
  const actual = Buffer.from(given ?? '');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
