/**
 * @file The code blocks of the READMEs, and the marker convention that says how each runs.
 *
 * Every fenced block of README.md and packages/<name>/README.md has a language:
 * - `ts`, `js`: run as a Node script (tsx; `@latentkit/*` resolved to the sources), in a
 *   temporary working folder holding the fixtures of readme-fixtures.ts.
 * - `sh`: run with `bash -e` in that folder (inside the repository, so `npm run` and `npx
 *   latentkit` find it).
 * - `text`: output samples, diagrams, file layouts: never run. A bare fence is refused, so
 *   that a block is never skipped by accident.
 *
 * A marker is an HTML comment on the line right above the fence (GitHub does not show it):
 * - `<!-- readme-test: skip <reason> -->` the block is not run; the reason is required (it
 *   needs root and apt, a data set that a fresh clone lacks, or runs for many minutes). A
 *   skipped block's repository paths (`packages/...`, `bench/...`, `examples/...`) must
 *   still exist, so it cannot drift silently either.
 * - `<!-- readme-test: script <name> -->` blocks of one README with the same name run as one
 *   script, in order (a later block uses what an earlier one made); imports are merged.
 * - `<!-- readme-test: server -->` the script (or sh block) keeps a server running: the test
 *   waits for the `http://127.0.0.1:<port>/` it prints, fetches it (200 expected) and stops it.
 * - `<!-- readme-test: browser <name> -->` a ts block written for a page: readme-browser.test.ts
 *   bundles it with esbuild for the browser (the packages' browser entries) and runs it in
 *   headless Chromium, with the model folders and input files it fetches served on 127.0.0.1.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One fenced block. */
export interface ReadmeBlock {
  /** README path relative to the repository. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  code: string;
  /** `skip` reason, if marked so. */
  skip?: string;
  /** `script` name, if marked so. */
  script?: string;
  server: boolean;
  /** `browser` name, if marked so: the block runs in a page, never in Node. */
  browser?: string;
}

/** Languages that run. */
export const RUNNABLE = new Set(['ts', 'js', 'sh']);
/** Languages that never run. */
export const NOT_RUN = new Set(['text']);

/**
 * Every fenced block of one README, with its markers.
 * @throws Error naming the file and line for a bare fence, an unknown language or marker, a skip without a reason.
 */
export async function readmeBlocks(repo: string, file: string): Promise<ReadmeBlock[]> {
  const lines = (await readFile(join(repo, file), 'utf8')).split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(.*)$/.exec(lines[i]);
    if (!open) continue;
    const lang = open[1].trim();
    const where = `${file}:${i + 1}`;
    if (lang === '') throw new Error(`${where}: a code block without a language; mark output samples and diagrams as \`\`\`text.`);
    if (!RUNNABLE.has(lang) && !NOT_RUN.has(lang)) throw new Error(`${where}: code block language '${lang}' is neither run (${[...RUNNABLE]}) nor ${[...NOT_RUN]}.`);
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`${where}: unclosed code block.`);
    const block: ReadmeBlock = { file, line: i + 1, lang, code: lines.slice(i + 1, end).join('\n') + '\n', server: false };
    // Markers: the comment lines right above the fence.
    for (let j = i - 1; j >= 0 && /^<!--.*-->\s*$/.test(lines[j]); j--) {
      const m = /^<!--\s*readme-test:\s*(\w+)\s*(.*?)\s*-->\s*$/.exec(lines[j]);
      if (!m) continue;
      const [, kind, arg] = m;
      if (kind === 'skip') {
        if (!arg) throw new Error(`${where}: 'readme-test: skip' needs a reason.`);
        block.skip = arg;
      } else if (kind === 'script') {
        if (!arg) throw new Error(`${where}: 'readme-test: script' needs a name.`);
        block.script = arg;
      } else if (kind === 'server') {
        block.server = true;
      } else if (kind === 'browser') {
        if (!arg) throw new Error(`${where}: 'readme-test: browser' needs a name.`);
        if (lang !== 'ts' && lang !== 'js') throw new Error(`${where}: 'readme-test: browser' marks ts or js blocks, not ${lang}.`);
        block.browser = arg;
      } else {
        throw new Error(`${where}: unknown marker 'readme-test: ${kind}'.`);
      }
    }
    blocks.push(block);
    i = end;
  }
  return blocks;
}

/** One script made of blocks. */
export interface ReadmeScript {
  name: string;
  blocks: ReadmeBlock[];
  server: boolean;
}

/** `import ... from '...';` statements (possibly over several lines). */
const IMPORT = /^import\s[\s\S]*?\sfrom\s+['"][^'"]+['"];?[ \t]*(\/\/.*)?$/gm;

/**
 * Joins the ts/js blocks of one README into scripts: each block alone, or with the others of
 * its `script` name. Imports are hoisted and merged (two blocks may import the same name), and
 * top-level `const`/`let` become `var`, so a later block may reuse a name an earlier one used.
 */
export function scriptsOf(blocks: readonly ReadmeBlock[]): ReadmeScript[] {
  const scripts: ReadmeScript[] = [];
  const named = new Map<string, ReadmeScript>();
  for (const b of blocks) {
    if (b.skip || b.browser || (b.lang !== 'ts' && b.lang !== 'js')) continue;
    const name = b.script ?? `${b.file}:${b.line}`;
    let s = named.get(name);
    if (!s) {
      s = { name, blocks: [], server: false };
      named.set(name, s);
      scripts.push(s);
    }
    s.blocks.push(b);
    s.server ||= b.server;
  }
  return scripts;
}

/** The source of a script (see {@link scriptsOf}). */
export function scriptSource(s: ReadmeScript): string {
  const imports = new Map<string, { names: Set<string>; whole: string[] }>();
  const bodies: string[] = [];
  for (const b of s.blocks) {
    for (const m of b.code.matchAll(IMPORT)) {
      const stmt = m[0].replace(/\/\/.*$/, '').trim();
      const from = /from\s+['"]([^'"]+)['"]/.exec(stmt)![1];
      const entry = imports.get(from) ?? { names: new Set<string>(), whole: [] };
      imports.set(from, entry);
      const named = /^import\s+(type\s+)?\{([\s\S]*)\}\s+from/.exec(stmt);
      if (named && !named[1]) {
        for (const n of named[2].split(',').map((x) => x.trim()).filter(Boolean)) entry.names.add(n);
      } else if (!entry.whole.includes(stmt)) {
        entry.whole.push(stmt);
      }
    }
    const body = b.code.replace(IMPORT, '').replace(/^(const|let)\s/gm, 'var ');
    bodies.push(`// ${b.file}:${b.line}\n${body}`);
  }
  const head = [...imports.entries()].flatMap(([from, e]) => [...e.whole, ...(e.names.size ? [`import { ${[...e.names].join(', ')} } from '${from}';`] : [])]);
  return `${head.join('\n')}\n${bodies.join('\n')}`;
}

/**
 * Cuts training to 1 epoch, for tests that check that a block runs rather than how well it
 * trains: `epochs: <n>` in ts/js, and `--epochs 1` added to a `latentkit train` line of sh that
 * sets none.
 */
export function quick(code: string, lang: string): string {
  if (lang === 'sh') return code.replace(/^(.*\blatentkit train\b(?:(?!--epochs)[^#\n])*?)(\s*(?:#.*)?)$/gm, (_, cmd: string, rest: string) => `${cmd.trimEnd()} --epochs 1${rest}`);
  return code.replace(/\bepochs: \d+/g, 'epochs: 1');
}
