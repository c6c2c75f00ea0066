// Test hook (node --import): holds the loading of src/main-app.ts until the file named by
// NHI_TEST_APP_GATE exists, so a test can talk to a gateway whose port is bound and whose app is not built
// yet, without relying on timing (test/integration/server/early-start.test.ts). Loader hooks run on their
// own thread: waiting here does not block the gateway's event loop.
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) register(import.meta.url, { data: { gate: process.env.NHI_TEST_APP_GATE } });

let gate;
export function initialize(data) {
  gate = data?.gate;
}

export async function load(url, context, nextLoad) {
  if (gate && url.includes('/src/main-app.ts')) {
    while (!existsSync(gate)) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return nextLoad(url, context);
}
