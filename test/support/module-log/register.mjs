// `node --import <this>`: log every module the process and its worker threads load to the file
// named by WEFT_MODULE_LOG (one URL or path per line), to test what a command loads. ES modules
// go through the resolve hook; require() (createRequire) does not, so Module._load is wrapped too.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';

const file = process.env.WEFT_MODULE_LOG;
register(new URL('./hooks.mjs', import.meta.url), { data: { file } });

const load = Module._load;
Module._load = function (request, parent, isMain) {
  const loaded = load.call(this, request, parent, isMain);
  if (file && !request.startsWith('node:')) {
    try {
      appendFileSync(file, `${Module._resolveFilename(request, parent, isMain)}\n`);
    } catch {
      // a built-in without the node: prefix
    }
  }
  return loaded;
};
