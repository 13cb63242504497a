import { z } from 'zod';
import { API_SCOPES, apiAccessEnv, apiCredentialsOf, sha256 } from './api-credentials';
import { ConfigError, loadConfig } from './load-config';

const schema = z.object({ ...apiAccessEnv });
const HASH = sha256('a-caller-token-of-some-length').toString('hex');
const entry = (overrides: Record<string, unknown> = {}) => ({
  name: 'erp',
  sha256: HASH,
  shops: ['Acme.myshopify.com'],
  scopes: ['orders:read'],
  ...overrides,
});
const problems = (env: Record<string, string>) => {
  try {
    loadConfig(schema, env);
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
};

describe('API_CREDENTIALS', () => {
  it('reads hashed credentials with their shops (lower-cased) and scopes', () => {
    const config = loadConfig(schema, {
      API_CREDENTIALS: JSON.stringify([
        entry(),
        entry({ name: 'ops', sha256: 'F'.repeat(64), shops: '*', scopes: '*' }),
      ]),
    });
    const [erp, ops] = apiCredentialsOf(config);
    expect(erp).toMatchObject({
      name: 'erp',
      shops: ['acme.myshopify.com'],
      scopes: ['orders:read'],
    });
    expect(erp.tokenSha256.equals(Buffer.from(HASH, 'hex'))).toBe(true);
    expect(ops).toMatchObject({
      shops: '*',
      scopes: [...API_SCOPES],
      fromDevelopmentTokens: false,
    });
  });

  it('keeps API_TOKENS as the development fallback: every shop, every scope, only a digest kept', () => {
    const [dev] = apiCredentialsOf(loadConfig(schema, { API_TOKENS: 'dev:0123456789abcdef0123' }));
    expect(dev).toMatchObject({
      name: 'dev',
      shops: '*',
      scopes: [...API_SCOPES],
      fromDevelopmentTokens: true,
    });
    expect(dev.tokenSha256.equals(sha256('0123456789abcdef0123'))).toBe(true);
  });

  it('refuses to start with no credential at all', () => {
    expect(() => apiCredentialsOf(loadConfig(schema, {}))).toThrow(ConfigError);
  });

  it.each([
    ['not JSON', '{'],
    ['an unknown scope', JSON.stringify([entry({ scopes: ['orders:write'] })])],
    ['a shop that is not a myshopify domain', JSON.stringify([entry({ shops: ['acme.com'] })])],
    ['no shops', JSON.stringify([entry({ shops: [] })])],
    ['a plain token instead of its hash', JSON.stringify([entry({ sha256: 'plain-token' })])],
    ['a repeated name', JSON.stringify([entry(), entry({ sha256: 'e'.repeat(64) })])],
    ['a repeated hash', JSON.stringify([entry(), entry({ name: 'other' })])],
    ['an unknown field', JSON.stringify([entry({ token: 'x' })])],
  ])('refuses %s, naming API_CREDENTIALS and never a value', (_what, value) => {
    const found = problems({ API_CREDENTIALS: value });
    expect(found.length).toBeGreaterThan(0);
    for (const problem of found) {
      expect(problem).toMatch(/^API_CREDENTIALS/);
      expect(problem).not.toContain(HASH);
    }
  });
});
