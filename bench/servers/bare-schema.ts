/**
 * The schema of reference (b): the benchmark query's shape — a union field selected through an inline
 * fragment, a nested object — answered from a constant.
 */
import { createSchema } from 'graphql-yoga';

export const BASIC_DATA = {
  __typename: 'BasicData',
  cardNumber: '000012345678',
  idNumber: 'A123456789',
  name: { text: '王小明', rawHex: 'A4FDA470A9FA', hasRareCharacters: false },
} as const;

export function createBareSchema() {
  return createSchema({
    typeDefs: /* GraphQL */ `
      type Query {
        healthCard: HealthCard!
      }
      type HealthCard {
        basicData: HealthCardBasicDataResult!
      }
      union HealthCardBasicDataResult = BasicData | CardError
      type DecodedText {
        text: String!
        rawHex: String!
        hasRareCharacters: Boolean!
      }
      type BasicData {
        cardNumber: String!
        idNumber: String!
        name: DecodedText!
      }
      type CardError {
        code: String!
      }
    `,
    resolvers: {
      Query: { healthCard: () => ({}) },
      HealthCard: { basicData: () => BASIC_DATA },
      HealthCardBasicDataResult: { __resolveType: (value: { __typename: string }) => value.__typename },
    },
  });
}
