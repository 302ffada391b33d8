#!/usr/bin/env node
// The `latentkit` executable that npm links into node_modules/.bin. It is committed (mode 755)
// rather than pointing `bin` at dist/bin.js, because npm links bins when it installs, and in a
// fresh clone dist/ does not exist yet: a bin whose target is missing is silently not linked,
// and `npx latentkit` then asks the registry for a package called `latentkit` (404).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(fileURLToPath(built))) {
  process.stderr.write(
    `latentkit: the command line is not built (${fileURLToPath(built)} is missing).\n` +
      'hint: run `npm run build` at the repository root (`npm install` there builds it too).\n',
  );
  process.exit(1);
}
await import(built.href);
