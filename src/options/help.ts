import type { FlagGroup } from './flag-spec.ts';
import { RUN_FLAGS } from './flags.ts';

/** `mini-reloader run --help`: every flag in RUN_FLAGS, by group, with its default and environment variable. */
export function formatHelp(): string {
  const lines = [
    'Usage: mini-reloader run [flags]',
    '',
    'Flags take --name=value or --name value; switches take --name or --name=true|false,',
    'and those Stakater declares as strings also --name true|false.',
    'Lists are comma-separated; an item in double quotes may hold commas; a repeated list flag adds up.',
    'Durations are Go-style: 500ms, 2s, 1m30s, 0.',
  ];
  let group: FlagGroup | undefined;
  for (const f of RUN_FLAGS) {
    if (f.group !== group) {
      group = f.group;
      lines.push('', `${group}:`);
    }
    const names = [f.flag, ...f.aliases]
      .map((n) => `--${n}${f.stringSwitch ? ' [true|false]' : f.boolean ? '' : ` <${f.value}>`}`)
      .join(', ');
    lines.push(`  ${names}`);
    const notes = [
      ...(f.default === undefined || f.default === '' ? [] : [`default ${f.default}`]),
      ...(f.stakaterDefault === undefined ? [] : [`--stakater-defaults: ${f.stakaterDefault}`]),
      ...(f.env === undefined ? [] : [`env ${f.env}`]),
    ];
    for (const line of wrap(f.description, 76)) lines.push(`      ${line}`);
    if (notes.length > 0) lines.push(`      (${notes.join('; ')})`);
  }
  return `${lines.join('\n')}\n`;
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') out.push(line);
  return out;
}
