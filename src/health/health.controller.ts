import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/decorators/public.decorator.js';
import { ApiProblemResponses } from '../common/problems/api-problem-responses.decorator.js';
import { ReadinessService, type CheckState } from './readiness.service.js';

class HealthDto {
  @ApiProperty({ example: 'ok' })
  status: 'ok';
}

class ReadinessDto extends HealthDto {
  @ApiProperty({
    description: 'Each dependency checked, and its state.',
    example: { database: 'ok' },
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
  @ApiOperation({ summary: 'Readiness: the database (and Redis, when configured) answer' })
  @ApiOkResponse({ type: ReadinessDto })
  @ApiProblemResponses({ kind: 'notReady', detail: 'A dependency is not answering.' })
  async ready(): Promise<ReadinessDto> {
    return { status: 'ok', checks: await this.readiness.check() };
  }
}
