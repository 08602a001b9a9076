import { readFile } from 'node:fs/promises';
import { DEFAULT_RELEASE, type Release } from './migration-in-progress.ts';
import { migrateStakaterValues, type Migration } from './stakater-values.ts';

/**
 * `mini-reloader migrate-values <file>`: prints the values file for this chart
 * that does what a Stakater Reloader values file did, with a comment on every
 * value saying where it came from and, at the top, every input key left out
 * and why.
 *
 * Exit status: 0 when every key was migrated; 1 when some key cannot be
 * honoured (the file is still printed, those keys are listed at its top and on
 * stderr, each with what to do instead: the chart would refuse them too);
 * 2 for a usage error, or a file that cannot be read or is not a YAML map.
 */
export const MIGRATE_USAGE =
  'usage: mini-reloader migrate-values [--release-name=NAME] [--namespace=NAMESPACE] <file | ->';

/** Stakater values files are small; anything larger is no values file. */
const MAX_INPUT_BYTES = 1024 * 1024;

export interface Output {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const STDIO: Output = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

export async function migrateValuesCommand(argv: readonly string[], io: Output = STDIO): Promise<number> {
  let file: string | undefined;
  let release: Release = DEFAULT_RELEASE;
  for (const arg of argv) {
    const option = /^--(release-name|namespace)=(.+)$/.exec(arg);
    if (option !== null)
      release =
        option[1] === 'namespace' ? { ...release, namespace: option[2] ?? '' } : { ...release, name: option[2] ?? '' };
    else if (arg === '--help' || arg === '-h') {
      io.out(`${MIGRATE_USAGE}\n`);
      return 0;
    } else if (!arg.startsWith('--') && file === undefined) file = arg;
    else {
      io.err(`mini-reloader migrate-values: unexpected argument ${JSON.stringify(arg)}\n${MIGRATE_USAGE}\n`);
      return 2;
    }
  }
  if (file === undefined) {
    io.err(`${MIGRATE_USAGE}\n`);
    return 2;
  }

  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (err) {
    io.err(`mini-reloader migrate-values: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  if (Buffer.byteLength(text) > MAX_INPUT_BYTES) {
    io.err(`mini-reloader migrate-values: ${file} is over 1 MiB, which no values file is\n`);
    return 2;
  }

  // yaml is on the production path only for this command: the controller never loads it.
  const YAML = await import('yaml');
  const doc = YAML.parseDocument(text, { uniqueKeys: true });
  const [parseError] = doc.errors;
  if (parseError !== undefined) {
    io.err(`mini-reloader migrate-values: ${file} is not valid YAML: ${parseError.message}\n`);
    return 2;
  }
  const input: unknown = doc.toJS({ maxAliasCount: 100 });
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    io.err(`mini-reloader migrate-values: ${file} is not a YAML map of values\n`);
    return 2;
  }

  const migration = migrateStakaterValues(input as Record<string, unknown>, release);
  io.out(formatMigration(YAML, migration, file, release));
  for (const refusal of migration.refused) io.err(`mini-reloader migrate-values: not migrated: ${refusal}\n`);
  return migration.refused.length > 0 ? 1 : 0;
}

type YamlModule = typeof import('yaml');

/** The migrated values as YAML, each commented value's key preceded by its comment, and the summary on top. */
export function formatMigration(YAML: YamlModule, migration: Migration, source: string, release: Release): string {
  // YAML 1.1 output, as Helm reads it: strings such as yes, on or 0o7 stay quoted.
  const doc = new YAML.Document(migration.values, { version: '1.1' });
  const orphans: string[] = [];
  for (const [path, texts] of migration.comments) {
    const key = keyNode(YAML, doc, path.split('.'));
    if (key === undefined) orphans.push(...texts.map((t) => `${path}: ${t}`));
    else
      key.commentBefore = [key.commentBefore, ...texts.map((t) => ` ${t}`)].filter((t) => t !== undefined).join('\n');
  }
  const header = [
    `mini-reloader chart values, written by mini-reloader migrate-values from ${source === '-' ? 'stdin' : source}`,
    `for release "${release.name}" in namespace "${release.namespace}" (--release-name, --namespace).`,
    'Scale Stakater Reloader to 0 before installing this: both at once roll every workload twice.',
    ...section('NOT MIGRATED (the chart refuses these too; do what each says, then run again):', migration.refused),
    ...section('Changed:', orphans),
    ...section('Left out, as they change nothing here:', migration.leftOut),
  ];
  doc.commentBefore = header.map((line) => ` ${line}`).join('\n');
  return doc.toString({ lineWidth: 0 });
}

function section(title: string, lines: readonly string[]): string[] {
  return lines.length === 0 ? [] : ['', title, ...lines.map((l) => `  ${l}`)];
}

/** The key node at `path` in `doc`'s maps, or undefined when some step is missing. */
function keyNode(
  YAML: YamlModule,
  doc: InstanceType<YamlModule['Document']>,
  path: readonly string[],
): { commentBefore?: string | null } | undefined {
  let node: unknown = doc.contents;
  let key: { commentBefore?: string | null } | undefined;
  for (const step of path) {
    if (!YAML.isMap(node)) return undefined;
    const pair = node.items.find((p) => YAML.isScalar(p.key) && p.key.value === step);
    if (pair === undefined || !YAML.isScalar(pair.key)) return undefined;
    key = pair.key;
    node = pair.value;
  }
  return key;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_INPUT_BYTES + 1) break;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
