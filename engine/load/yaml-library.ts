// The yaml library, from the build's one-file copy and its V8 code cache: as ~60 CommonJS files
// it took 35-50 ms to load; as one file with the cache, ~10 ms less than without one.
import { requireVendored } from '../code-cache.js';

export const yaml = requireVendored<typeof import('yaml')>('yaml');
