import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { JOB_STATUSES } from '../job';

// OpenAPI shapes of the jobs API; the bodies themselves come from `toJobView`.

export class SubmitJobDto {
  @ApiProperty({ example: 'sales-report', description: 'A job type this service runs' })
  type!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Validated by the job type; see the service README',
    example: { shop: 'acme.myshopify.com', from: '2026-11-01', to: '2026-11-30', format: 'csv' },
  })
  params?: Record<string, unknown>;

  @ApiPropertyOptional({
    example: 'https://erp.example.com/hooks/shopwire-jobs',
    description:
      'POSTed a signed JSON body when the job ends (X-Shopwire-Hmac-Sha256: base64 HMAC-SHA256 ' +
      'of the body with the shared secret)',
  })
  callbackUrl?: string;
}

export class JobProgressDto {
  @ApiProperty({ example: 12 })
  processed!: number;

  @ApiProperty({ type: Number, nullable: true, example: 30 })
  total!: number | null;
}

export class JobErrorDto {
  @ApiProperty({ example: 'JobFailedError' })
  type!: string;

  @ApiProperty()
  message!: string;
}

export class JobResultDto {
  @ApiProperty({ example: '/jobs/5b0c…/result' })
  url!: string;

  @ApiProperty({ example: 'text/csv; charset=utf-8' })
  content_type!: string;

  @ApiProperty({ type: String, nullable: true })
  filename!: string | null;

  @ApiProperty({ example: 2048 })
  size!: number;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  summary!: Record<string, unknown> | null;
}

export class JobCallbackDto {
  @ApiProperty()
  url!: string;

  @ApiProperty({ enum: ['pending', 'delivered', 'failed'], nullable: true })
  status!: string | null;

  @ApiProperty()
  attempts!: number;

  @ApiProperty({ type: String, nullable: true })
  last_error!: string | null;
}

export class JobDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'sales-report' })
  type!: string;

  @ApiProperty({ enum: JOB_STATUSES })
  status!: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  params!: unknown;

  @ApiProperty({ type: JobProgressDto })
  progress!: JobProgressDto;

  @ApiProperty({ description: 'Runs started (a lost worker or an outage costs one)' })
  attempts!: number;

  @ApiProperty()
  cancel_requested!: boolean;

  @ApiProperty({ type: JobErrorDto, nullable: true })
  error!: JobErrorDto | null;

  @ApiProperty({ type: JobResultDto, nullable: true, description: 'Set once succeeded' })
  result!: JobResultDto | null;

  @ApiProperty({ type: JobCallbackDto, nullable: true })
  callback!: JobCallbackDto | null;

  @ApiProperty()
  created_at!: string;

  @ApiProperty({ type: String, nullable: true })
  started_at!: string | null;

  @ApiProperty()
  updated_at!: string;

  @ApiProperty({ type: String, nullable: true })
  finished_at!: string | null;
}

export class JobListDto {
  @ApiProperty({ type: [JobDto] })
  jobs!: JobDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page (older jobs); null on the last page',
  })
  next_cursor!: string | null;
}
