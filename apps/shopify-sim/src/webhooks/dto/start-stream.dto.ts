import { z } from '@shopwire/config';
import { isShopDomain } from '../../installs/oauth-crypto';
import { WEBHOOK_TOPICS } from '../traffic/webhook-topics';

const probability = z.number().min(0).max(1);

/** Body of `POST /sim/webhooks/streams`; validated with zod (the repo has no class-validator). */
export const startStreamSchema = z
  .object({
    rate: z.number().positive().max(10_000).default(10),
    count: z.number().int().positive().max(100_000_000).optional(),
    durationSeconds: z
      .number()
      .positive()
      .max(7 * 86_400)
      .optional(),
    topics: z
      .record(z.enum(WEBHOOK_TOPICS), z.number().min(0))
      .refine(
        (mix) => Object.values(mix).some((w) => (w ?? 0) > 0),
        'topics needs at least one positive weight',
      )
      .optional(),
    shops: z
      .array(z.string().refine(isShopDomain, 'must be a *.myshopify.com domain'))
      .min(1)
      .max(100)
      .optional(),
    faults: z
      .object({
        duplicates: probability.default(0),
        reorderWindow: z.number().int().min(0).max(10_000).default(0),
        delayProbability: probability.default(0),
        delayMaxMs: z.number().int().min(0).max(86_400_000).default(0),
        oldSecretRatio: probability.default(0),
        wrongSecretRatio: probability.default(0),
      })
      .strict()
      .refine(
        (f) => f.oldSecretRatio + f.wrongSecretRatio <= 1,
        'oldSecretRatio + wrongSecretRatio must be <= 1',
      )
      .default({}),
    seed: z.union([z.string().min(1).max(200), z.number().int()]).optional(),
    /** Overrides GATEWAY_URL for this stream (e.g. a second receiver). */
    targetUrl: z.string().url().optional(),
  })
  .strict();

export type StartStreamRequest = z.infer<typeof startStreamSchema>;

/** The same contract for `/docs`. */
export const START_STREAM_OPENAPI = {
  type: 'object',
  additionalProperties: false,
  properties: {
    rate: { type: 'number', description: 'unique webhooks per second', default: 10, example: 50 },
    count: { type: 'integer', description: 'stop after this many unique webhooks', example: 1000 },
    durationSeconds: {
      type: 'number',
      description: 'stop after this long (runs until DELETE without count or duration)',
    },
    topics: {
      type: 'object',
      description: 'relative weights per topic; default is a realistic store mix',
      additionalProperties: { type: 'number' },
      example: { 'orders/create': 5, 'orders/updated': 3, 'orders/cancelled': 1 },
    },
    shops: { type: 'array', items: { type: 'string' }, example: ['shopwire-demo.myshopify.com'] },
    faults: {
      type: 'object',
      properties: {
        duplicates: {
          type: 'number',
          description: 'probability a delivery is re-sent with the same webhook id',
        },
        reorderWindow: {
          type: 'integer',
          description: 'shuffle deliveries within windows of this size',
        },
        delayProbability: { type: 'number' },
        delayMaxMs: { type: 'integer' },
        oldSecretRatio: {
          type: 'number',
          description: 'share signed with SHOPIFY_WEBHOOK_OLD_SECRET',
        },
        wrongSecretRatio: {
          type: 'number',
          description: 'share signed with a wrong secret (expect 401s)',
        },
      },
    },
    seed: { oneOf: [{ type: 'string' }, { type: 'integer' }], description: 'replay a run exactly' },
    targetUrl: { type: 'string', format: 'uri' },
  },
} as const;
