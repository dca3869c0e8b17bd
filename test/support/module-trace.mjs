// Loaded with `node --import` (through NODE_OPTIONS) into a `coo` child process: writes, one a line, every
// module URL the ESM loader loads ("module <url>") and every file read with readFileSync ("read <path>"),
// to the file COO_TEST_MODULE_TRACE names. Tests read it to prove a command never loaded what it must not.
import fs from 'node:fs';
import { register, syncBuiltinESMExports } from 'node:module';

const out = process.env.COO_TEST_MODULE_TRACE;
if (out) {
  register(
    `data:text/javascript,${encodeURIComponent(`
      import { appendFileSync } from 'node:fs';
      const out = ${JSON.stringify(out)};
      export async function load(url, context, next) {
        appendFileSync(out, 'module ' + url + '\\n');
        return next(url, context);
      }`)}`,
  );
  const read = fs.readFileSync;
  fs.readFileSync = function (path, ...rest) {
    if (typeof path === 'string' || path instanceof URL) fs.appendFileSync(out, `read ${String(path)}\n`);
    return read.call(this, path, ...rest);
  };
  syncBuiltinESMExports(); // `import { readFileSync } from 'node:fs'` sees the wrapper too
}
