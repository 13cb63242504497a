import { request } from 'undici';

/** An HTTP answer as a test reads it. */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

/**
 * A browser, as far as the install flow needs one: one cookie jar per origin honouring Path,
 * Max-Age and Expires; redirects followed one hop at a time by the test.
 */
export class Browser {
  private readonly jar = new Map<string, Map<string, { value: string; path: string }>>();

  async get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
    const target = new URL(url);
    const cookie = this.cookieHeader(target);
    const response = await request(target, {
      method: 'GET',
      headers: { accept: 'application/json', ...headers, ...(cookie ? { cookie } : {}) },
    });
    this.store(target, response.headers['set-cookie']);
    const text = await response.body.text();
    return {
      status: response.statusCode,
      headers: response.headers,
      text,
      json: <T>() => JSON.parse(text) as T,
    };
  }

  /** The Location of a redirect, resolved against the URL that answered it. */
  static location(answer: Answer, from: string): string {
    const location = answer.headers.location;
    if (answer.status !== 302 || typeof location !== 'string') {
      throw new Error(`expected a 302 with a Location, got ${answer.status}: ${answer.text}`);
    }
    return new URL(location, from).toString();
  }

  cookies(origin: string): Map<string, string> {
    const cookies = this.jar.get(new URL(origin).origin) ?? new Map();
    return new Map([...cookies].map(([name, c]) => [name, c.value]));
  }

  setCookie(origin: string, name: string, value: string, path = '/'): void {
    const key = new URL(origin).origin;
    const cookies = this.jar.get(key) ?? new Map();
    cookies.set(name, { value, path });
    this.jar.set(key, cookies);
  }

  private cookieHeader(url: URL): string {
    const cookies = this.jar.get(url.origin);
    if (!cookies) return '';
    return [...cookies]
      .filter(
        ([, c]) =>
          url.pathname === c.path || url.pathname.startsWith(`${c.path.replace(/\/$/, '')}/`),
      )
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
  }

  private store(url: URL, header: string | string[] | undefined): void {
    if (header === undefined) return;
    for (const line of Array.isArray(header) ? header : [header]) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let expired = false;
      for (const attribute of attributes) {
        const [key, val = ''] = attribute.split('=');
        const lower = key.toLowerCase();
        if (lower === 'path') path = val;
        if (lower === 'max-age' && Number(val) <= 0) expired = true;
        if (lower === 'expires' && Date.parse(val) <= Date.now()) expired = true;
      }
      const cookies = this.jar.get(url.origin) ?? new Map();
      if (expired || value === '') cookies.delete(name);
      else cookies.set(name, { value, path });
      this.jar.set(url.origin, cookies);
    }
  }
}
