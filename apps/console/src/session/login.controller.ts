import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConsoleServices } from '../services/console-services';
import { outcome } from '../services/upstream';
import { Pages } from './pages';

/**
 * Login exchanges an internal API token for the session cookie. The token is checked with the
 * cheapest scoped call there is (the shops service's installation list): 401 means unknown there,
 * anything authenticated — 200, or 403 for a credential without `shops:read` — means known. The
 * token is never logged, echoed back into the page, or put in a URL.
 */
@ApiExcludeController()
@Controller()
export class LoginController {
  constructor(
    private readonly services: ConsoleServices,
    private readonly pages: Pages,
  ) {}

  @Get('/')
  home(@Res() reply: FastifyReply): FastifyReply {
    return reply.redirect('/dead-letters', 303);
  }

  @Get('login')
  form(@Res() reply: FastifyReply): FastifyReply {
    return this.pages.render(reply, 'login', 'login', { error: null });
  }

  @Post('login')
  async login(
    @Body() body: { token?: unknown } | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const token = typeof body?.token === 'string' ? body.token.trim() : '';
    if (!/^\S{1,512}$/.test(token)) {
      return this.pages.render(reply, 'login', 'login', { error: 'Paste an API token.' }, 400);
    }
    const checked = await outcome(() => this.services.as(token).shops.GET('/shops'));
    if (!checked.ok && checked.kind === 'unauthorized') {
      return this.pages.render(reply, 'login', 'login', { error: 'This token is not valid.' }, 401);
    }
    if (!checked.ok && (checked.kind === 'unreachable' || checked.kind === 'failed')) {
      return this.pages.render(
        reply,
        'login',
        'login',
        { error: `The token cannot be checked: the shops service answered ${checked.message}.` },
        503,
      );
    }
    // A fresh session: nothing from before login (the CSRF secret included) carries over.
    request.session.regenerate();
    request.session.set('token', token);
    request.session.set('signedInAt', Date.now());
    return reply.redirect('/dead-letters', 303);
  }

  @Post('logout')
  logout(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    request.session.delete();
    return reply.redirect('/login', 303);
  }
}
