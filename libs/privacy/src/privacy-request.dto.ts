import { ApiProperty } from '@nestjs/swagger';

/**
 * OpenAPI shape of a compliance request a service applied, as its `GET …/privacy-requests`
 * answers it (notification, sync): the same record in every service that keeps one.
 */
export class PrivacyRequestRecordDto {
  @ApiProperty() id!: string;
  @ApiProperty() shopDomain!: string;
  @ApiProperty({ example: 'customers/redact' }) kind!: string;
  @ApiProperty({ type: String, nullable: true }) customerId!: string | null;
  @ApiProperty() webhookId!: string;
  @ApiProperty({ description: 'Rows erased or exported' }) affected!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'A data-request export (personal data): only with scope customers:read',
  })
  export!: unknown;
  @ApiProperty({ format: 'date-time' }) completedAt!: string;
}

export class PrivacyRequestRecordsDto {
  @ApiProperty({ type: [PrivacyRequestRecordDto] }) requests!: PrivacyRequestRecordDto[];
}
