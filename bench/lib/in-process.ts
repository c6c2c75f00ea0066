/**
 * What the in-process measuring loops share (bench/servers/fetch-loop.ts, bench/tools/alloc-per-request.ts,
 * bench/tools/card-path-loop.ts): the benchmark's request as a `fetch` init, and switching callgrind's
 * counting on and off around the measured loop.
 */
import { spawn } from 'node:child_process';
import { benchToken } from './bench-token.ts';

/** `POST /graphql` as bench/gateway-basic-data.ts sends it: JSON, the access token, the CSRF header. */
export function graphqlFetchInit(query: string): RequestInit {
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      authorization: `Bearer ${benchToken()}`,
      'x-nhi-gateway': '1',
    },
    body: JSON.stringify({ query }),
  };
}

/** Under `valgrind --tool=callgrind --instr-atstart=no`: count instructions from here (`on`) or stop (`off`). */
export function callgrindCounting(state: 'on' | 'off'): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('callgrind_control', ['-i', state, String(process.pid)], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => resolve());
  });
}
