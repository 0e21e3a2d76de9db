import { JIT_INPUT_ARGUMENTS, type JitOptionSpec, jitOptionEntries, valueName } from './jit-options';

/** The markers of the generated part of docs/jit-cli.md. */
export const JIT_OPTIONS_BEGIN = '<!-- jit-options:begin -->';
export const JIT_OPTIONS_END = '<!-- jit-options:end -->';

const cell = (text: string) => text.replace(/\|/g, '\\|');
const code = (text: string) => `\`${cell(text)}\``;

function flagCell(spec: JitOptionSpec): string {
  if (!spec.flag) return '—';
  return code(`${spec.short ? `${spec.short}, ` : ''}${spec.flag}${spec.type.switch ? '' : ` ${valueName(spec.flag)}`}`);
}

function defaultCell(spec: JitOptionSpec): string {
  if (spec.default === false) return 'off';
  if (spec.default !== undefined) return code(String(spec.default));
  return spec.unset ? cell(spec.unset) : '—';
}

/** The JIT's options (libs/config JIT_OPTIONS) as a Markdown table: the generated part of docs/jit-cli.md. */
export function renderJitOptionsTable(): string {
  const rows = [
    '| flag | environment | value | default | what it does |',
    '| --- | --- | --- | --- | --- |',
    ...[JIT_INPUT_ARGUMENTS.option, JIT_INPUT_ARGUMENTS.positional].map(
      (input) => `| ${code(input.doc)} | — | — | — | ${cell(input.details)} |`,
    ),
    ...jitOptionEntries().map(
      ([, spec]) =>
        `| ${flagCell(spec)} | ${spec.env ? code(spec.env) : '—'} | ${spec.type.switch ? '—' : cell(spec.type.text)} | ${defaultCell(spec)} | ${cell(spec.details ?? spec.help)} |`,
    ),
  ];
  return rows.join('\n');
}

/** The text between the markers (trimmed); undefined when a marker is missing. */
export function jitOptionsSection(doc: string): string | undefined {
  const begin = doc.indexOf(JIT_OPTIONS_BEGIN);
  const end = doc.indexOf(JIT_OPTIONS_END);
  if (begin < 0 || end < begin) return undefined;
  return doc.slice(begin + JIT_OPTIONS_BEGIN.length, end).trim();
}

/** The document with the table between its markers rendered afresh. */
export function withJitOptionsTable(doc: string): string {
  const begin = doc.indexOf(JIT_OPTIONS_BEGIN);
  const end = doc.indexOf(JIT_OPTIONS_END);
  if (begin < 0 || end < begin) throw new Error(`the document has no ${JIT_OPTIONS_BEGIN} … ${JIT_OPTIONS_END} section`);
  return `${doc.slice(0, begin)}${JIT_OPTIONS_BEGIN}\n\n${renderJitOptionsTable()}\n\n${doc.slice(end)}`;
}
