import { Injectable, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { z } from 'zod';
import { apiAccessEnv, requireApiCaller } from './api-credentials';
import { databaseEnv, logEnv, port } from './env';
import { ConfigError, loadConfig } from './load-config';
import {
  InjectServiceConfig,
  SERVICE_CONFIG,
  SERVICE_CONFIG_NAMESPACE,
  serviceConfigModule,
} from './service-config.module';

// A service's schema as apps declare theirs: shared pieces, its own variables, the API-caller rule.
const schema = z
  .object({
    ...databaseEnv,
    ...logEnv,
    ...apiAccessEnv,
    PORT: port(3009),
    SHOP_SECRET: z.string().min(32, 'SHOP_SECRET must be at least 32 characters'),
  })
  .superRefine(requireApiCaller);
type Config = z.infer<typeof schema>;

const TOKEN = 'a-development-token-of-some-length';
const SECRET = 'a-secret-of-at-least-thirty-two-characters';

function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

@Injectable()
class ReadsConfig {
  constructor(@InjectServiceConfig() readonly config: Config) {}
}

@Module({ providers: [ReadsConfig], exports: [ReadsConfig] })
class FeatureModule {}

describe('a service configuration', () => {
  it('names a missing variable and never prints a value', () => {
    const error = refusal({ API_TOKENS: `dev:${TOKEN}`, PORT: 'not-a-port' });
    expect(error.problems.map((p) => p.slice(0, p.indexOf(':'))).sort()).toEqual([
      'PORT',
      'SHOP_SECRET',
    ]);
    expect(error.message).not.toContain('not-a-port');
    expect(error.message).not.toContain(TOKEN);
  });

  it('refuses a service nobody can call while loading, naming API_CREDENTIALS', () => {
    const error = refusal({ SHOP_SECRET: SECRET });
    expect(error.problems).toEqual([
      'API_CREDENTIALS: set API_CREDENTIALS (hashed, scoped) or, in development, API_TOKENS',
    ]);
  });

  it('holds the production guard: a placeholder secret and a defaulted DATABASE_URL, by name only', () => {
    const placeholder = 'dev-only-shop-secret-0123456789abcdef';
    const error = refusal({
      SHOPWIRE_ENV: 'production',
      API_TOKENS: `dev:${TOKEN}`,
      SHOP_SECRET: placeholder,
    });
    expect(error.problems.map((p) => p.slice(0, p.indexOf(':'))).sort()).toEqual([
      'API_TOKENS',
      'DATABASE_URL',
      'SHOP_SECRET',
    ]);
    expect(error.message).toMatch(/SHOP_SECRET: holds a development placeholder/);
    expect(error.message).not.toContain(placeholder);
    expect(error.message).not.toContain(TOKEN);
  });
});

describe('serviceConfigModule', () => {
  const config = loadConfig(schema, { API_TOKENS: `dev:${TOKEN}`, SHOP_SECRET: SECRET });

  async function app(value: object) {
    const moduleRef = await Test.createTestingModule({
      imports: [serviceConfigModule(value), FeatureModule],
    }).compile();
    return moduleRef;
  }

  it('gives every module the validated object itself, typed, and one value through ConfigService', async () => {
    const moduleRef = await app(config);
    expect(moduleRef.get(ReadsConfig).config).toBe(config);
    expect(moduleRef.get(SERVICE_CONFIG)).toBe(config);
    const service = moduleRef.get(ConfigService);
    expect(service.get(`${SERVICE_CONFIG_NAMESPACE}.PORT`)).toBe(3009);
    // Transformed values stay what the schema made of them (a Map, not a string).
    expect(service.get(`${SERVICE_CONFIG_NAMESPACE}.API_TOKENS`)).toBeInstanceOf(Map);
    await moduleRef.close();
  });

  it('never answers from process.env, and writes nothing into it', async () => {
    const before = { ...process.env };
    process.env.SHOPWIRE_SPEC_UNVALIDATED = 'x';
    try {
      const moduleRef = await app(config);
      expect(moduleRef.get(ConfigService).get('SHOPWIRE_SPEC_UNVALIDATED')).toBeUndefined();
      await moduleRef.close();
    } finally {
      delete process.env.SHOPWIRE_SPEC_UNVALIDATED;
    }
    expect(process.env).toEqual(before);
  });

  it('keeps two applications of one process apart', async () => {
    const other = { ...config, PORT: 4000 };
    const [first, second] = [await app(config), await app(other)];
    expect(first.get(SERVICE_CONFIG)).toBe(config);
    expect(second.get(SERVICE_CONFIG)).toBe(other);
    await Promise.all([first.close(), second.close()]);
  });
});
