import { Injectable } from '@nestjs/common';
import {
  buildSchema,
  execute,
  getVariableValues,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { AdminMetrics } from '../admin-metrics';
import type { ShopState } from '../shops/admin-shops.service';
import { MAX_QUERY_COST } from '../shops/plans';
import type { AdminContext } from './admin-context';
import { mutationRoot } from './admin-mutations';
import { queryRoot } from './admin-queries';
import {
  webhookSubscriptionMutations,
  webhookSubscriptionQueries,
} from './webhook-subscription-resolvers';
import { ADMIN_SCHEMA_SDL } from './admin-schema.graphql';
import {
  costCountingResolver,
  pickOperation,
  QueryCostError,
  requestedQueryCost,
  type CostCounter,
} from './query-cost';

export interface GraphqlRequest {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

export interface GraphqlReply {
  data?: unknown;
  errors?: unknown[];
  extensions: {
    cost: {
      requestedQueryCost: number;
      actualQueryCost: number | null;
      throttleStatus: ReturnType<ShopState['graphql']['status']>;
    };
  };
}

/** Query and mutation field names do not overlap, so one root value serves both. */
const ROOT = {
  ...queryRoot,
  ...mutationRoot,
  ...webhookSubscriptionQueries,
  ...webhookSubscriptionMutations,
};

const RATE_LIMITS_DOC = 'https://shopify.dev/api/usage/rate-limits';

/** Parsed documents by query text: clients send the same few queries over and over. */
const PARSE_CACHE_SIZE = 500;

/**
 * One GraphQL Admin request, Shopify's way: the requested cost is computed from the document and
 * checked against the single-query limit, then reserved from the shop's bucket (or the request is
 * throttled — HTTP 200 with a THROTTLED error, nothing executed), then the query runs and the
 * difference between requested and actual cost goes back into the bucket.
 */
@Injectable()
export class AdminGraphqlService {
  readonly schema: GraphQLSchema = buildSchema(ADMIN_SCHEMA_SDL);
  private readonly parsed = new Map<string, DocumentNode>();

  constructor(private readonly metrics: AdminMetrics) {}

  async run(context: AdminContext, request: GraphqlRequest): Promise<GraphqlReply> {
    const { shop } = context;
    shop.stats.graphql.requests += 1;
    const reply = (
      requested: number,
      actual: number | null,
      rest: Omit<GraphqlReply, 'extensions'>,
    ) => ({
      ...rest,
      extensions: {
        cost: {
          requestedQueryCost: requested,
          actualQueryCost: actual,
          throttleStatus: shop.graphql.status(),
        },
      },
    });
    const invalid = (errors: readonly { message: string; locations?: unknown }[]) => {
      this.metrics.request('graphql', 'invalid');
      return reply(0, 0, {
        errors: errors.map((e) => ({ message: e.message, locations: e.locations })),
      });
    };

    if (typeof request.query !== 'string' || request.query.trim() === '')
      return invalid([{ message: 'No query string was present' }]);
    const variables =
      request.variables && typeof request.variables === 'object'
        ? (request.variables as Record<string, unknown>)
        : {};
    const operationName = typeof request.operationName === 'string' ? request.operationName : null;

    let document: DocumentNode;
    try {
      document = this.parse(request.query);
    } catch (error) {
      return invalid([error as GraphQLError]);
    }
    const validationErrors = validate(this.schema, document);
    if (validationErrors.length > 0) return invalid(validationErrors);

    let requested: number;
    try {
      // Cost from coerced variables, so a `$first` left to its default is charged at that default.
      const operation = pickOperation(document, operationName);
      const coerced = getVariableValues(
        this.schema,
        operation.variableDefinitions ?? [],
        variables,
      );
      if (coerced.errors) return invalid(coerced.errors);
      requested = requestedQueryCost(this.schema, document, coerced.coerced, operationName);
    } catch (error) {
      if (error instanceof QueryCostError || error instanceof GraphQLError) return invalid([error]);
      throw error;
    }

    if (requested > MAX_QUERY_COST) {
      shop.stats.graphql.maxCostExceeded += 1;
      this.metrics.request('graphql', 'max_cost_exceeded');
      return reply(requested, null, {
        errors: [
          {
            message:
              `Query cost is ${requested}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).\n\n` +
              `See ${RATE_LIMITS_DOC} for more information on how the cost of a query is calculated.\n\n` +
              'To query larger amounts of data with fewer limits, bulk operations should be used instead.\n' +
              'See https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n',
            extensions: { code: 'MAX_COST_EXCEEDED', cost: requested, maxCost: MAX_QUERY_COST },
          },
        ],
      });
    }

    if (!shop.graphql.tryTake(requested)) {
      shop.stats.graphql.throttled += 1;
      this.metrics.request('graphql', 'throttled');
      return reply(requested, null, {
        errors: [
          {
            message: 'Throttled',
            extensions: { code: 'THROTTLED', documentation: RATE_LIMITS_DOC },
          },
        ],
      });
    }

    const counter: CostCounter = { actual: 0 };
    const result = (await execute({
      schema: this.schema,
      document,
      rootValue: ROOT,
      contextValue: context,
      variableValues: variables,
      operationName,
      fieldResolver: costCountingResolver(counter),
    })) as ExecutionResult;
    // Never charge more than was reserved: the reservation is what the client was told.
    const actual = Math.min(requested, counter.actual);
    shop.graphql.refund(requested - actual);
    shop.stats.graphql.pointsUsed += actual;
    shop.stats.graphql.pointsRefunded += requested - actual;
    this.metrics.graphqlPoints(requested, actual);
    this.metrics.request('graphql', 'ok');
    return reply(requested, actual, {
      ...(result.errors ? { errors: result.errors.map((error) => error.toJSON()) } : {}),
      data: result.data ?? null,
    });
  }

  private parse(query: string): DocumentNode {
    const cached = this.parsed.get(query);
    if (cached) return cached;
    const document = parse(query, { maxTokens: 20_000 });
    if (this.parsed.size >= PARSE_CACHE_SIZE) this.parsed.delete(this.parsed.keys().next().value!);
    this.parsed.set(query, document);
    return document;
  }
}
