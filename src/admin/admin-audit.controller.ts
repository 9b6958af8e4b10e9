import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { decodeCursor, encodeCursor } from '../audit/audit-cursor.js';
import { AuditRepository } from '../audit/audit.repository.js';
import { ApiBearer } from '../auth/guards/api-bearer.decorator.js';
import { Roles } from '../auth/roles/roles.decorator.js';
import { ApiProblemResponses } from '../common/problems/api-problem-responses.decorator.js';
import { validationProblem } from '../common/validation/validation.pipe.js';
import { ADMIN_ROLE } from '../config/roles.js';
import { AuditPageDto, AuditQueryDto, toAdminAuditEventDto } from './dto/admin-audit.dto.js';
import { BAD_CURSOR, PAGE_DEFAULT_LIMIT } from './dto/page-query.dto.js';

@ApiTags('admin')
@ApiBearer()
@Roles(ADMIN_ROLE)
@Controller('admin/audit')
export class AdminAuditController {
  constructor(private readonly events: AuditRepository) {}

  @Get()
  @ApiOperation({
    summary: 'The audit trail across accounts',
    description:
      'Newest first, optionally one account’s (`user_id`, also after it was deleted) or one type’s; `limit` (≤ 100, default 20) at a time, then pass `next_cursor` as `cursor`. Admin actions name the admin in `actor_id`.',
  })
  @ApiOkResponse({ type: AuditPageDto })
  @ApiProblemResponses({ kind: 'validation', detail: 'type must be an audit event type.' })
  async list(@Query() query: AuditQueryDto): Promise<AuditPageDto> {
    const limit = query.limit ?? PAGE_DEFAULT_LIMIT;
    const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (query.cursor !== undefined && !before) throw validationProblem([BAD_CURSOR]);
    const events = await this.events.list(
      { userId: query.user_id, type: query.type },
      limit + 1,
      before,
    );
    const page = events.slice(0, limit);
    const last = page.at(-1);
    return {
      events: page.map(toAdminAuditEventDto),
      next_cursor: events.length > limit && last ? encodeCursor(last) : null,
    };
  }
}
