/**
 * `node dist/apps/jit/src/options-doc.js`: prints the JIT's option table (libs/config JIT_OPTIONS)
 * as Markdown; with `--write docs/jit-cli.md`, renders it afresh between that file's
 * `<!-- jit-options:begin -->` and `<!-- jit-options:end -->` markers.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderJitOptionsTable, withJitOptionsTable } from '@jit/config';

const [mode, file] = process.argv.slice(2);
if (mode === '--write' && file) {
  writeFileSync(file, withJitOptionsTable(readFileSync(file, 'utf8')));
  process.stdout.write(`${file}: option table rendered\n`);
} else if (mode === undefined) {
  process.stdout.write(`${renderJitOptionsTable()}\n`);
} else {
  process.stderr.write('usage: options-doc.js [--write docs/jit-cli.md]\n');
  process.exit(2);
}
