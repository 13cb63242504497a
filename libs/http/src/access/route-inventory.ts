import { RequestMethod, type INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { PUBLIC_ROUTE } from '../api-token.guard';
import { ROUTE_ACCESS, type RouteAccess } from './access.decorators';

export interface InventoriedRoute {
  method: string;
  /** Fastify's pattern, e.g. `/orders/:id`. */
  path: string;
  /** `Controller.handler`, to name the route in a failure. */
  handler: string;
  /** `'public'` for `@PublicRoute()`, null when the route declares nothing (a defect). */
  access: RouteAccess | 'public' | null;
}

const asList = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : [value === undefined ? '' : String(value)];

const joinPath = (...parts: string[]) =>
  `/${parts
    .join('/')
    .split('/')
    .filter((segment) => segment.length > 0)
    .join('/')}`;

/**
 * Every route the Nest application's controllers declare, with its access declaration, read from
 * the controllers' metadata at runtime — what the route-generated access suite attacks, so a new
 * endpoint is attacked without anyone listing it.
 */
export function inventoryRoutes(app: INestApplication): InventoriedRoute[] {
  const routes: InventoriedRoute[] = [];
  const seen = new Set<unknown>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (abstract new (...args: never[]) => unknown) | null;
      if (!controller || seen.has(controller)) continue;
      seen.add(controller);
      const classPaths = asList(Reflect.getMetadata(PATH_METADATA, controller));
      const classPublic = Reflect.getMetadata(PUBLIC_ROUTE, controller) === true;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const isPublic = classPublic || Reflect.getMetadata(PUBLIC_ROUTE, handler) === true;
        const access = isPublic
          ? 'public'
          : ((Reflect.getMetadata(ROUTE_ACCESS, handler) as RouteAccess | undefined) ?? null);
        for (const classPath of classPaths) {
          for (const handlerPath of asList(Reflect.getMetadata(PATH_METADATA, handler))) {
            routes.push({
              method: RequestMethod[method],
              path: joinPath(classPath, handlerPath),
              handler: `${controller.name}.${name}`,
              access,
            });
          }
        }
      }
    }
  }
  return routes;
}

const registered = new WeakMap<FastifyInstance, { method: string; path: string }[]>();

/** Called by `createHttpApp` before any route exists, so every route Fastify serves is listed. */
export function recordRoutes(fastify: FastifyInstance): void {
  const routes: { method: string; path: string }[] = [];
  registered.set(fastify, routes);
  fastify.addHook('onRoute', (route) => {
    for (const method of asList(route.method)) routes.push({ method, path: route.url });
  });
}

/**
 * Every route Fastify actually serves (HEAD twins of GET routes left out) — compared with
 * `inventoryRoutes` so a route registered outside a controller cannot escape the access suite.
 */
export function registeredRoutes(app: INestApplication): { method: string; path: string }[] {
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  return (registered.get(fastify) ?? []).filter((route) => route.method !== 'HEAD');
}
