import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

declare module '@fastify/secure-session' {
  /** What the session cookie holds (encrypted): the operator's token and when they signed in. */
  interface SessionData {
    token: string;
    signedInAt: number;
  }
}

/**
 * Signed in: the session holds a token and is younger than the TTL. The cookie's own expiry
 * slides with every write; this one does not, so a session ends TTL after login whatever happens.
 */
export function isSignedIn(request: FastifyRequest, ttlSeconds: number): boolean {
  const token = request.session.get('token');
  const signedInAt = request.session.get('signedInAt');
  return (
    typeof token === 'string' &&
    typeof signedInAt === 'number' &&
    Date.now() - signedInAt < ttlSeconds * 1000
  );
}

/** The signed-in operator's token (the session hook has already checked there is one). */
export const OperatorToken = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const token = context.switchToHttp().getRequest<FastifyRequest>().session.get('token');
  if (typeof token !== 'string') throw new Error('no operator token on a signed-in route');
  return token;
});
