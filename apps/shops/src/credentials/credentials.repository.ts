import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { SHOPS_DATA_SOURCE } from '../shops.tokens';

/** SQL of `shops.installations` and `shops.credentials`. */
@Injectable()
export class CredentialsRepository {
  constructor(@Inject(SHOPS_DATA_SOURCE) private readonly dataSource: DataSource) {}

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}
