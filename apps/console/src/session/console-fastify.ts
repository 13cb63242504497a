import fastifyCsrf from '@fastify/csrf-protection';
import fastifySecureSession from '@fastify/secure-session';
import fastifyStatic from '@fastify/static';
import fastifyView from '@fastify/view';
import type { FastifyAdapter } from '@nestjs/platform-fastify';
import { Eta } from 'eta';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { dirname, join } from 'node:path';
import type { ConsoleConfig } from '../config';
import { isSignedIn } from './operator-session';

/** Templates and the stylesheet; scripts/build.mjs copies them beside the compiled code. */
export const VIEWS_DIR = join(__dirname, '..', 'views');

/** Paths anyone may open: the login page, probes, metrics and static assets. */
const OPEN_PATHS = [/^\/login$/, /^\/health\/(live|ready)$/, /^\/metrics$/, /^\/assets\//];

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The console's browser-facing plumbing, on the Fastify instance under Nest:
 * - the session: an encrypted, authenticated cookie (libsodium secretbox) holding the operator's
 *   token; HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it),
 *   Secure outside plain-http development;
 * - CSRF: every state-changing request must carry the token of a page this session rendered
 *   (form field `_csrf` or the `x-csrf-token` header htmx sends), besides SameSite;
 * - every page but the open ones needs a signed-in session (closed by default: a new route is
 *   protected without declaring anything);
 * - views (Eta, auto-escaping) and static assets (our stylesheet, htmx from node_modules).
 */
export function configureConsoleFastify(adapter: FastifyAdapter, config: ConsoleConfig): void {
  const fastify = adapter.getInstance() as unknown as FastifyInstance;
  void fastify.register(fastifySecureSession, {
    key: config.CONSOLE_SESSION_KEY,
    cookieName: 'shopwire_console',
    expiry: config.CONSOLE_SESSION_TTL_SECONDS,
    cookie: {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: config.CONSOLE_COOKIE_SECURE,
      maxAge: config.CONSOLE_SESSION_TTL_SECONDS,
    },
  });
  void fastify.register(fastifyCsrf, { sessionPlugin: '@fastify/secure-session' });
  void fastify.register(fastifyView, {
    engine: { eta: new Eta({ views: VIEWS_DIR, autoEscape: true, cache: true }) },
    templates: VIEWS_DIR,
    viewExt: 'eta',
  });
  void fastify.register(fastifyStatic, {
    root: dirname(require.resolve('htmx.org/dist/htmx.min.js')),
    prefix: '/assets/htmx/',
    allowedPath: (path) => path === '/htmx.min.js',
  });
  void fastify.register(fastifyStatic, {
    root: VIEWS_DIR,
    prefix: '/assets/console/',
    decorateReply: false,
    allowedPath: (path) => path.endsWith('.css'),
  });

  fastify.addHook('preHandler', (request, reply, done) => {
    const path = request.url.split('?')[0];
    if (OPEN_PATHS.some((open) => open.test(path))) {
      if (UNSAFE_METHODS.has(request.method)) {
        fastify.csrfProtection(request, reply, done);
        return;
      }
      done();
      return;
    }
    if (!isSignedIn(request, config.CONSOLE_SESSION_TTL_SECONDS)) {
      signInFirst(request, reply);
      return;
    }
    if (UNSAFE_METHODS.has(request.method)) {
      fastify.csrfProtection(request, reply, done);
      return;
    }
    done();
  });
}

/** A page sends the browser to the login page; an htmx fragment asks htmx to do it. */
function signInFirst(request: FastifyRequest, reply: FastifyReply): void {
  if (request.headers['hx-request'] === 'true') {
    void reply.status(401).header('hx-redirect', '/login').send();
    return;
  }
  void reply.redirect('/login', 303);
}
