import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/decorators/public.decorator.js';
import { ApiProblemResponses } from '../common/problems/api-problem-responses.decorator.js';
import { ReadinessService, type CheckState } from './readiness.service.js';

class HealthDto {
  @ApiProperty({ example: 'ok' })
  status: 'ok';
}

class ReadinessDto {
  @ApiProperty({
    enum: ['ok', 'degraded'],
    description: '`degraded`: Redis is away; limits hold per instance until it is back.',
  })
  status: 'ok' | 'degraded';

  @ApiProperty({
    description: 'Each dependency checked, and its state.',
    example: { database: 'ok', redis: 'ok' },
    additionalProperties: { type: 'string', enum: ['ok', 'unavailable'] },
  })
  checks: Record<string, CheckState>;
}

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  /** Liveness: answers from memory, touches nothing, so a slow database never restarts us. */
  @Get()
  @ApiOperation({ summary: 'Liveness: the process is up (no I/O)' })
  @ApiOkResponse({ type: HealthDto })
  live(): HealthDto {
    return { status: 'ok' };
  }

  /** Readiness: a load balancer sends traffic here only while the dependencies answer. */
  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: the database answers (and Redis, when configured, is reported)',
    description:
      '503 when the database does not answer. A Redis outage answers 200 with `status: degraded`.',
  })
  @ApiOkResponse({ type: ReadinessDto })
  @ApiProblemResponses({ kind: 'notReady', detail: 'The database is not answering.' })
  ready(): Promise<ReadinessDto> {
    return this.readiness.check();
  }
}
