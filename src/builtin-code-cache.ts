/**
 * Lets Node's own code cache for its built-in modules be used in the single executable.
 *
 * V8 accepts a code cache only under the flags it was made with. Node's cache of its built-in modules
 * (node:http, node:crypto, streams …) was made under V8's defaults when Node was built, so under the
 * executable's SEA execArgv (build/lib/exec-argv.ts) every built-in module the gateway loaded was parsed and
 * compiled from source (~110 of them in a start; `NODE_DEBUG_NATIVE=CODE_CACHE` prints "rejected" for each).
 * V8 compares the flags as they are when a module is compiled, so once the bundle is compiled (its own cache
 * is made under the execArgv: build/build.ts) the flags are set back to V8's defaults — without undoing what
 * they did (docs/performance.md, "Start-up", round 7):
 * - `--max-semi-space-size`: read once, when the heap is set up; the young generation keeps its 2-MB limit;
 * - `--expose-gc`: `gc()` is installed when the context is made; it stays;
 * - `--heap-growing-percent`: read at each full collection, so it is set again (`restoreCollectionFlags`) once
 *   the port is bound, before the first full collection of the app's build (src/main.ts).
 */
import { setFlagsFromString } from 'node:v8';

/** Each flag of the executable's execArgv → its V8 default (what Node's built-in code cache was made under). */
export const V8_DEFAULT_OF: Readonly<Record<string, string>> = {
  '--max-semi-space-size=2': '--max-semi-space-size=0',
  '--heap-growing-percent=100': '--heap-growing-percent=0',
  '--expose-gc': '--no-expose-gc',
};

/** The flags V8 reads again at each full collection: set again by `restoreCollectionFlags`. */
const READ_AT_EACH_COLLECTION = ['--heap-growing-percent=100'];

let toRestore: readonly string[] = [];

/**
 * Sets the execArgv's flags back to V8's defaults when this process runs with exactly those flags (the single
 * executable); anything else (another flag, `npm start`) is left alone. Returns whether it did.
 */
export function useBuiltinCodeCache(execArgv: readonly string[] = process.execArgv, setFlags: (flag: string) => void = setFlagsFromString): boolean {
  const all = Object.keys(V8_DEFAULT_OF);
  if (execArgv.length !== all.length || !all.every((flag) => execArgv.includes(flag))) return false;
  for (const flag of execArgv) setFlags(V8_DEFAULT_OF[flag]!);
  toRestore = READ_AT_EACH_COLLECTION.filter((flag) => execArgv.includes(flag));
  return true;
}

/** Sets again the flags read at each full collection (once, and only after `useBuiltinCodeCache` set them back). */
export function restoreCollectionFlags(setFlags: (flag: string) => void = setFlagsFromString): void {
  for (const flag of toRestore) setFlags(flag);
  toRestore = [];
}
