#!/usr/bin/env node
// `nhi-gateway` from a checkout (package.json "bin"; the single executable is built separately, see
// docs/windows.md). Plain JavaScript so that every Node in package.json "engines" can start it: the sources
// are TypeScript, loaded through tsx's loader. Node's own type stripping is no substitute: it is on by default
// only from 22.18 and does not handle every construct the sources use (constructor parameter properties).
let register;
try {
  ({ register } = await import('tsx/esm/api'));
} catch (error) {
  process.stderr.write(`nhi-gateway: cannot load tsx, which runs the TypeScript sources (${error.code ?? error.message}); run npm install in the gateway's folder\n`);
  process.exit(1);
}
register();
const { runMain } = await import('../src/main.ts');
runMain(process.argv.slice(2), process.env);
