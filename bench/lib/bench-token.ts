/**
 * The access token a benchmark presents (`Authorization: Bearer …`): generated once per run in the parent
 * and handed to server children through the environment, never written to disk.
 */
import { randomBytes } from 'node:crypto';

export const BENCH_TOKEN_ENV = 'NHI_BENCH_TOKEN';

export function benchToken(): string {
  let token = process.env[BENCH_TOKEN_ENV];
  if (!token) {
    token = randomBytes(32).toString('base64url');
    process.env[BENCH_TOKEN_ENV] = token;
  }
  return token;
}
