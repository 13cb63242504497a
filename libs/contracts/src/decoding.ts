import { isSafeNumber, parse } from 'lossless-json';
import { isShopDomain } from './shop-domain';

/**
 * What every decoder of a message that crosses Kafka returns: the typed value, or why it is
 * refused. A refusal is a poison message (retrying cannot help), so a consumer counts it by
 * `reason` and parks it in the DLQ with `detail`. Details name fields only, never their values:
 * payloads hold personal data, and a parser's own message can quote the body.
 */
export type DecodeReason =
  /** Not a webhook envelope: webhook id, topic, shop domain or value missing. */
  | 'envelope'
  /** The envelope's shop is not a `*.myshopify.com` domain. */
  | 'shop_domain'
  /** The value is not JSON (or is empty). */
  | 'json'
  /** A webhook body that does not fit its Shopify topic, or names another shop than its envelope. */
  | 'payload'
  /** A Shopwire message (domain event, job dispatch) that does not fit its topic's contract. */
  | 'event';

export interface Accepted<T> {
  ok: true;
  value: T;
}

export interface Rejected {
  ok: false;
  reason: DecodeReason;
  detail: string;
}

export type Decoded<T> = Accepted<T> | Rejected;

export const accepted = <T>(value: T): Accepted<T> => ({ ok: true, value });

export const rejected = (reason: DecodeReason, detail: string): Rejected => ({
  ok: false,
  reason,
  detail,
});

/**
 * Thrown by the field readers below and turned into a `Rejected` by the decoder that called
 * them; it never leaves `@shopwire/contracts`'s decoders.
 */
export class FieldError extends Error {
  override readonly name = 'FieldError';
}

/** JSON as parsed without rounding: numbers beyond 2^53 stay their exact decimal strings. */
export type ExactJson =
  null | boolean | number | string | ExactJson[] | { [key: string]: ExactJson };

export class ExactJsonError extends Error {
  override readonly name = 'ExactJsonError';
}

const exactNumber = (text: string): number | string => (isSafeNumber(text) ? Number(text) : text);

/**
 * Shopify's numeric IDs exceed 2^53 (an order id looks like 820982911946154508) and `JSON.parse`
 * silently rounds them: this keeps every number a JS number cannot hold exactly as its digits.
 * Throws `ExactJsonError`, whose message is the parser's (it can quote the text).
 */
export function parseExactJson(text: string | Buffer): ExactJson {
  try {
    return parse(
      typeof text === 'string' ? text : text.toString('utf8'),
      null,
      exactNumber,
    ) as ExactJson;
  } catch (error) {
    throw new ExactJsonError(`body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * A message value as JSON, or 'json'. Shopwire's own messages carry IDs and money as strings,
 * so plain `JSON.parse` is exact for them; Shopify's bodies are parsed with `parseExactJson`.
 */
export function decodeJson(
  value: Buffer | string | null | undefined,
  exact = false,
): Decoded<unknown> {
  if (value === null || value === undefined || value.length === 0)
    return rejected('json', 'message has no value');
  const text = typeof value === 'string' ? value : value.toString('utf8');
  try {
    return accepted(exact ? parseExactJson(text) : (JSON.parse(text) as unknown));
  } catch {
    return rejected('json', exact ? 'payload is not valid JSON' : 'value is not valid JSON');
  }
}

/**
 * Runs a decoder written with the field readers below: a `FieldError` becomes a refusal for
 * `reason`; any other error is a bug and propagates.
 */
export function decodeFields<T>(reason: DecodeReason, read: () => T): Decoded<T> {
  try {
    return accepted(read());
  } catch (error) {
    if (error instanceof FieldError) return rejected(reason, error.message);
    throw error;
  }
}

// ---- field readers: each names the field, never the value, when it refuses -----------------

export type JsonObject = Record<string, unknown>;

export const isJsonObject = (value: unknown): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const fail = (message: string): never => {
  throw new FieldError(message);
};

const POSITIVE_ID = /^[1-9]\d{0,18}$/;
const BIGINT_MAX = 9223372036854775807n;
const DECIMAL = /^-?\d{1,30}(\.\d{1,20})?$/;
const INT32_MAX = 2147483647;

/** A Shopify numeric id that fits Postgres bigint, as its exact digits. */
export function isPositiveId(digits: string): boolean {
  return POSITIVE_ID.test(digits) && BigInt(digits) <= BIGINT_MAX;
}

export const field = {
  object(value: unknown, name: string): JsonObject {
    return isJsonObject(value) ? value : fail(`${name} must be an object`);
  },

  array(value: unknown, name: string): unknown[] {
    return Array.isArray(value) ? value : fail(`${name} must be an array`);
  },

  /**
   * A positive id: a string of digits or a safe integer (as parsed exactly). A larger number —
   * one `JSON.parse` would already have rounded — is refused, never guessed at.
   */
  id(value: unknown, name: string): string {
    if (value === undefined || value === null) return fail(`${name} is required`);
    let digits: string | null = null;
    if (typeof value === 'string') digits = value;
    else if (typeof value === 'number' && Number.isSafeInteger(value)) digits = String(value);
    else if (typeof value === 'number' && Number.isInteger(value))
      fail(`${name} is a number beyond 2^53 that was not parsed exactly`);
    if (digits === null || !isPositiveId(digits))
      return fail(`${name} must be a positive integer id`);
    return digits;
  },

  optionalId(value: unknown, name: string): string | null {
    return value === undefined || value === null ? null : field.id(value, name);
  },

  /** Shopwire's own messages carry every id as a string; a number there is not the contract. */
  stringId(value: unknown, name: string): string {
    if (typeof value !== 'string') return fail(`${name} must be a positive integer id as a string`);
    return field.id(value, name);
  },

  optionalStringId(value: unknown, name: string): string | null {
    return value === undefined || value === null ? null : field.stringId(value, name);
  },

  /** Text of at most `max` characters; absent, null and "" are null. */
  optionalText(value: unknown, name: string, max = 10_000): string | null {
    if (value === undefined || value === null || value === '') return null;
    if (typeof value !== 'string' || value.length > max) return fail(`${name} must be a string`);
    return value;
  },

  /** A non-empty string of at most `max` characters. */
  text(value: unknown, name: string, max = 10_000): string {
    if (typeof value !== 'string' || value === '' || value.length > max)
      return fail(`${name} must be a non-empty string`);
    return value;
  },

  /** Money and other decimals travel as strings ("19.99"), never as floats. */
  optionalDecimal(value: unknown, name: string): string | null {
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string' || !DECIMAL.test(value))
      return fail(`${name} must be a decimal string`);
    return value;
  },

  timestamp(value: unknown, name: string): string {
    if (typeof value !== 'string' || value.length > 64 || Number.isNaN(Date.parse(value)))
      return fail(`${name} must be a timestamp`);
    return value;
  },

  optionalTimestamp(value: unknown, name: string): string | null {
    return value === undefined || value === null ? null : field.timestamp(value, name);
  },

  /** An integer in `[min, 2^31 - 1]`. */
  int(value: unknown, name: string, min = -INT32_MAX): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > INT32_MAX)
      return fail(`${name} must be an integer`);
    return value;
  },

  optionalBoolean(value: unknown, name: string): boolean {
    if (value === undefined || value === null) return false;
    return typeof value === 'boolean' ? value : fail(`${name} must be a boolean`);
  },

  shopDomain(value: unknown, name: string): string {
    return isShopDomain(value) ? value : fail(`${name} must be a *.myshopify.com domain`);
  },
};
