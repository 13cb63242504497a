/**
 * Reads one field's literal text out of JSON that `JSON.parse` has already accepted, without
 * building a second object tree. The gateway needs exactly one value from each body — the
 * resource id for the message key — and needs its exact digits (IDs exceed 2^53), which
 * `JSON.parse` would round. A full lossless parse of a 4 KB order costs several times what
 * `JSON.parse` does; this walk skips over everything but the path it follows.
 *
 * Precondition: `text` is valid JSON (call `JSON.parse` first). On invalid input the result is
 * unspecified but the walk always terminates.
 */
export function rawJsonField(text: string, path: readonly string[]): string | undefined {
  let i = skipWhitespace(text, 0);
  for (const key of path) {
    if (text.charCodeAt(i) !== OPEN_BRACE) return undefined;
    i = skipWhitespace(text, i + 1);
    let found = false;
    while (i < text.length && text.charCodeAt(i) === QUOTE) {
      const keyEnd = endOfString(text, i);
      const rawKey = text.slice(i + 1, keyEnd - 1);
      const name = rawKey.includes('\\') ? (JSON.parse(text.slice(i, keyEnd)) as string) : rawKey;
      i = skipWhitespace(text, keyEnd) + 1; // past ':'
      i = skipWhitespace(text, i);
      if (name === key) {
        found = true;
        break;
      }
      i = skipWhitespace(text, endOfValue(text, i));
      if (text.charCodeAt(i) === COMMA) i = skipWhitespace(text, i + 1);
    }
    if (!found) return undefined;
  }
  return text.slice(i, endOfValue(text, i));
}

/** A field that holds an ID (number or string) as its exact string; null otherwise. */
export function jsonIdField(text: string, path: readonly string[]): string | null {
  const raw = rawJsonField(text, path);
  if (raw === undefined || raw.length === 0) return null;
  const first = raw.charCodeAt(0);
  if (first === QUOTE) {
    const value = JSON.parse(raw) as string;
    return value === '' ? null : value;
  }
  return /^-?\d+$/.test(raw) ? raw : null;
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

function skipWhitespace(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** `i` at an opening quote; returns the index just past the closing quote. */
function endOfString(text: string, i: number): number {
  i++;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i += 2;
    else if (c === QUOTE) return i + 1;
    else i++;
  }
  return i;
}

/** `i` at the start of a value; returns the index just past it. */
function endOfValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return endOfString(text, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    while (i < text.length) {
      const d = text.charCodeAt(i);
      if (d === QUOTE) {
        i = endOfString(text, i);
        continue;
      }
      if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
      else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return i;
  }
  // number, true, false, null: runs to the next delimiter
  while (i < text.length) {
    const d = text.charCodeAt(i);
    if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || d <= 0x20) break;
    i++;
  }
  return i;
}
