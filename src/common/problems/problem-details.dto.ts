import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ example: 'password' })
  field: string;

  @ApiProperty({ example: '#/password' })
  pointer: string;

  @ApiProperty({ example: 'password must be at least 8 characters long.' })
  detail: string;
}

/** RFC 9457 problem details, for the OpenAPI document. */
export class ProblemDetailsDto {
  @ApiProperty({
    description: 'Identifies the kind of problem; stable.',
    example: '/problems/invalid-token',
  })
  type: string;

  @ApiProperty({ example: 'Invalid token' })
  title: string;

  @ApiProperty({ example: 401 })
  status: number;

  @ApiProperty({ description: 'What went wrong, for a human.', example: 'Invalid token' })
  detail: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'On 422: each field that failed.' })
  errors?: FieldErrorDto[];

  @ApiProperty({
    description:
      'The id of the request (its X-Request-Id): quote it when reporting a problem; the logs carry it too.',
    example: '5b0f3f1e-8c1a-4b52-9d3e-2f0c6a1b7e44',
  })
  request_id: string;

  @ApiPropertyOptional({
    description: 'On token endpoints: the RFC 6749 §5.2 error code.',
    example: 'invalid_grant',
  })
  error?: string;

  @ApiPropertyOptional({
    description:
      'On `reauthentication-required`: how recent (in seconds) a sign-in must be, as OpenID Connect’s `max_age` (REAUTH_MAX_AGE).',
    type: 'integer',
    example: 300,
  })
  max_age?: number;
}
