/**
 * A tiny schema standing in for the real Pothos schema in the server/transport tests: a query, a mutation,
 * a recursive type for depth limits, a finite subscription, and a context that echoes a request header.
 */
import { createSchema } from 'graphql-yoga';
import type { GraphQLSchema } from 'graphql';
import { createGateway, type Gateway, type GatewayDeps, type GatewayLogger } from '../../src/yoga.ts';

export interface StandInContext {
  /** `x-client-name` header of the request (HTTP) or of the WebSocket upgrade request. */
  clientName: string | null;
  transport: 'ws' | 'http';
}

export interface StandInState {
  /** Subscriptions currently running (incremented on start, decremented in `finally`). */
  activeSubscriptions: number;
  /** Subscriptions that have ended (completed, cancelled or cut off). */
  endedSubscriptions: number;
}

/** What `badInput` throws: a stand-in for an expected, client-fixable error class. */
export class StandInInputError extends Error {
  constructor(readonly field: string) {
    super(`bad ${field}`);
    this.name = 'StandInInputError';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createStandInSchema(state: StandInState = { activeSubscriptions: 0, endedSubscriptions: 0 }): GraphQLSchema {
  return createSchema<StandInContext>({
    typeDefs: /* GraphQL */ `
      type Query {
        hello(name: String): String!
        node: Node!
        whoami: String
        transport: String!
        boom: String
        badInput: String
      }
      type Node {
        id: Int!
        child: Node!
      }
      type Mutation {
        echo(text: String!): String!
      }
      type Subscription {
        "Yields 1..count, one every intervalMs (default 0), then completes."
        ticks(count: Int!, intervalMs: Int): Int!
      }
    `,
    resolvers: {
      Query: {
        hello: (_: unknown, { name }: { name?: string | null }) => `hello ${name ?? 'world'}`,
        node: () => ({ id: 1 }),
        whoami: (_: unknown, __: unknown, ctx: StandInContext) => ctx.clientName,
        transport: (_: unknown, __: unknown, ctx: StandInContext) => ctx.transport,
        boom: () => {
          throw new Error('secret internal detail');
        },
        badInput: () => {
          throw new StandInInputError('idNumber');
        },
      },
      Node: {
        child: (parent: { id: number }) => ({ id: parent.id + 1 }),
      },
      Mutation: {
        echo: (_: unknown, { text }: { text: string }) => text,
      },
      Subscription: {
        ticks: {
          subscribe: async function* (_: unknown, { count, intervalMs }: { count: number; intervalMs?: number | null }) {
            state.activeSubscriptions++;
            try {
              for (let i = 1; i <= count; i++) {
                if (intervalMs) await sleep(intervalMs);
                yield { ticks: i };
              }
            } finally {
              state.activeSubscriptions--;
              state.endedSubscriptions++;
            }
          },
        },
      },
    },
  });
}

/** A logger that keeps what it is given (and prints nothing). */
export function createMemoryLogger(): GatewayLogger & { entries: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> } {
  const entries: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    entries.push(fields ? { level, msg, fields } : { level, msg });
  };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export interface TestGateway {
  yoga: Gateway;
  state: StandInState;
  logger: ReturnType<typeof createMemoryLogger>;
  /** What /ready answers next. */
  readiness: { ready: boolean; reasons: string[] };
}

/** The gateway over the stand-in schema; `overrides` replace any dependency. */
export function createTestGateway(overrides: Partial<GatewayDeps> = {}): TestGateway {
  const state: StandInState = { activeSubscriptions: 0, endedSubscriptions: 0 };
  const logger = createMemoryLogger();
  const readiness = { ready: true, reasons: [] as string[] };
  const yoga = createGateway({
    schema: createStandInSchema(state),
    createContext: ({ request, ...rest }) => ({
      clientName: request.headers.get('x-client-name'),
      transport: 'socket' in rest ? 'ws' : 'http',
    }),
    readiness: async () => ({ ...readiness }),
    logger,
    ...overrides,
  });
  return { yoga, state, logger, readiness };
}
