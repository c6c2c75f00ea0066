/**
 * Imported first by src/bin.ts, so it runs before any other module of the bundle requires a built-in module:
 * from here on Node's code cache of its built-in modules is accepted (src/builtin-code-cache.ts says why).
 */
import { useBuiltinCodeCache } from './builtin-code-cache.ts';

useBuiltinCodeCache();
