import type { FactoryProvider } from '@nestjs/common';
import { SERVICE_CONFIG } from '@shopwire/service-runtime';
import type { ShopsConfig } from '../config';
import { TokenVault } from './token-vault';

/** The process's vault, over the key ring parsed from SHOPS_TOKEN_KEYS. */
export const TOKEN_VAULT = Symbol('TOKEN_VAULT');

export const tokenVaultProvider: FactoryProvider<TokenVault> = {
  provide: TOKEN_VAULT,
  inject: [SERVICE_CONFIG],
  useFactory: (config: ShopsConfig) => new TokenVault(config.SHOPS_TOKEN_KEYS),
};
