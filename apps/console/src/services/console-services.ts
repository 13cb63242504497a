import { Injectable } from '@nestjs/common';
import { InjectServiceConfig } from '@shopwire/config';
import type { ConsoleConfig } from '../config';
import { clientsFor, type ServiceClients } from './upstream';

/** Hands out the typed clients for one operator's token; nothing is kept across requests. */
@Injectable()
export class ConsoleServices {
  constructor(@InjectServiceConfig() readonly config: ConsoleConfig) {}

  as(token: string): ServiceClients {
    return clientsFor(this.config, token);
  }
}
