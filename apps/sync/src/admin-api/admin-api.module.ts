import { Module } from '@nestjs/common';
import { SyncAdminClient } from './sync-admin-client';

/** The one Admin API client of the process, shared by the catalog and the jobs. */
@Module({ providers: [SyncAdminClient], exports: [SyncAdminClient] })
export class AdminApiModule {}
