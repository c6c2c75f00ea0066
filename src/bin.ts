/**
 * Entry of the single executable (esbuild bundles this file to CommonJS for Node SEA; see build/build.ts).
 * `npm start` does not use it: it runs src/main.ts directly.
 *
 * No module imported here loads koffi at import time (both adapters load it on first use), so the embedded
 * assets are checked and koffi's native module put in place (process.resourcesPath) in startExecutable,
 * before anything needs it, and only when the command needs it (never for --version or --help).
 */
// First: the V8 flags back to the defaults Node's built-in modules' code cache was made under.
import './use-builtin-code-cache.ts';
import { seaApi } from './sea-setup.ts';
import { startExecutable } from './executable.ts';

/**
 * Loads koffi from the bundle once, right after extraction, so a temp folder that cannot run it is named at
 * start (src/sea-setup.ts). esbuild inlines this literal require, as in the adapters.
 */
const loadKoffi = (): void => {
  if (typeof require === 'function') require('koffi');
};

startExecutable(process.argv.slice(2), process.env, seaApi(), loadKoffi);
