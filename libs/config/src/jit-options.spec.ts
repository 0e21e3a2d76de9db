import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Option } from 'commander';
import { buildJitCommand } from './jit-config';
import { JIT_OPTIONS, jitOptionEntries, launchOptionsShape, sessionOptionsShape } from './jit-options';
import { jitOptionsSection, renderJitOptionsTable, withJitOptionsTable } from './jit-options-doc';

describe('the JIT option table', () => {
  it('names each option as commander does its flag', () => {
    for (const [key, spec] of jitOptionEntries()) {
      if (spec.flag) expect(new Option(spec.flag).attributeName()).toBe(key);
    }
  });

  it('gives the JIT every flag of the spec, spelled as the spec spells it, and the project’s own', () => {
    const flags = buildJitCommand().options.map((o) => o.long);
    const spec = [
      '--lowres',
      '--sample-aspect-num',
      '--sample-aspect-den',
      '--colorspace',
      '--host',
      '--port',
      '--verbose',
      '--channels',
      '--cho',
    ];
    spec.push('--threads', '--thread-type', '--bt2100-tone-mapping', '--width', '--height', '--frame-rate-num', '--frame-rate-den');
    spec.push('--region', '--bitrate', '--technical-timeout');
    expect(flags).toEqual(['--input', ...spec, '--duration', '--public-ip']);
    expect(buildJitCommand().options.find((o) => o.long === '--verbose')?.short).toBe('-v');
  });

  it('lets a REST client set the stream options, and only the agent the technical timeout', () => {
    const session = Object.keys(sessionOptionsShape());
    expect(session.sort()).toEqual(
      [
        'lowres',
        'width',
        'height',
        'frameRateNum',
        'frameRateDen',
        'sampleAspectNum',
        'sampleAspectDen',
        'colorspace',
        'bt2100ToneMapping',
        'duration',
        'bitrate',
        'region',
        'channels',
        'cho',
        'threads',
        'threadType',
      ].sort(),
    );
    expect(Object.keys(launchOptionsShape()).sort()).toEqual([...session, 'technicalTimeout'].sort());
    expect(Object.keys(JIT_OPTIONS).filter((k) => !Object.keys(launchOptionsShape()).includes(k))).toEqual([
      'host',
      'port',
      'verbose',
      'publicIp',
      'portMin',
      'portMax',
      'viewerToken',
      'sessionId',
    ]);
  });

  it('renders as a Markdown table with a row per input form and option', () => {
    const table = renderJitOptionsTable().split('\n');
    expect(table[0]).toBe('| flag | environment | value | default | what it does |');
    expect(table).toHaveLength(2 + 2 + Object.keys(JIT_OPTIONS).length);
    expect(table).toContain(
      "| `--lowres LOWRES` | — | integer 0–3 | `0` | Picture divided by 2^LOWRES in both directions; the decoder's own lowres is used where it has one. |",
    );
    expect(table.find((row) => row.startsWith('| `--thread-type THREAD_TYPE` |'))).toContain('| `slice`, `frame` | per codec |');
    expect(table.find((row) => row.startsWith('| `-v, --verbose` |'))).toContain('| — | off |');
    expect(table.find((row) => row.startsWith('| `--public-ip PUBLIC_IP` | `PUBLIC_IP` |'))).toBeDefined();
    const doc = withJitOptionsTable('# x\n<!-- jit-options:begin -->\nold\n<!-- jit-options:end -->\nrest\n');
    expect(jitOptionsSection(doc)).toBe(renderJitOptionsTable());
    expect(doc.endsWith('\n<!-- jit-options:end -->\nrest\n')).toBe(true);
  });

  // docs/jit-cli.md is written by hand around this section; `node dist/apps/jit/src/options-doc.js --write docs/jit-cli.md` renders it.
  const docFile = join(__dirname, '..', '..', '..', 'docs', 'jit-cli.md');
  (existsSync(docFile) ? it : it.skip)('is what docs/jit-cli.md shows between its jit-options markers', () => {
    expect(jitOptionsSection(readFileSync(docFile, 'utf8'))).toBe(renderJitOptionsTable());
  });
});
