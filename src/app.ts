/**
 * Builds the whole gateway from its services: schema, context and the yoga core. No listening here, so
 * the in-process API tests and the real server use exactly the same thing.
 */
import { GraphQLError } from 'graphql';
import { buildSchema } from '../schema/index.ts';
import { createGateway, type Gateway, type GatewayLogger } from './yoga.ts';
import type { GatewayContext } from './context.ts';
import type { RunningServices } from './services.ts';
import { InputError } from './codecs/input-error.ts';
import { createConsoleLogger } from './logger.ts';

export interface AppOptions {
  readonly logger?: GatewayLogger;
  readonly graphiql?: boolean;
}

let schema: ReturnType<typeof buildSchema> | null = null;

export function createApp(services: RunningServices, options: AppOptions = {}): Gateway {
  schema ??= buildSchema();
  return createGateway({
    schema,
    createContext: ({ request }): GatewayContext => ({ ...services, request }),
    readiness: () => services.status.readiness().then((r) => ({ ready: r.ready, reasons: [...r.reasons] })),
    mapError: toClientError,
    // Never yoga's bare console: every line goes through the masking logger.
    logger: options.logger ?? createConsoleLogger(),
    ...(options.graphiql === undefined ? {} : { graphiql: options.graphiql }),
  });
}

/** Bad input is the client's to fix: say which field and which rule, as BAD_USER_INPUT. */
export function toClientError(error: unknown): GraphQLError | undefined {
  if (error instanceof InputError) {
    return new GraphQLError(`${error.field}: ${error.rule}`, {
      extensions: { code: 'BAD_USER_INPUT', field: error.field, rule: error.rule },
    });
  }
  return undefined;
}
