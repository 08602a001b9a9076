import { nodeFs } from '../node-fs.ts';

/** The longest version string shown; package.json is ours, but a label is no place for a surprise. */
const MAX_VERSION_LENGTH = 64;

/**
 * Where the package.json beside `src/` or `dist/` (the image copies it there)
 * is from this module: two folders up from `src/prometheus/`, one up from the
 * bundle's chunks in `dist/` (tools/build/build.ts).
 */
const PACKAGE_JSON = new URL(
  import.meta.url.endsWith('.ts') ? '../../package.json' : '../package.json',
  import.meta.url,
);

/**
 * The `version` of the package.json beside `src/` or `dist/`, read as text
 * and parsed on its own: nothing else is loaded for it. "unknown" when it
 * cannot be read.
 */
export function packageVersion(file: URL = PACKAGE_JSON): string {
  try {
    const parsed: unknown = JSON.parse(nodeFs.readFileSync(file, 'utf8'));
    const version =
      typeof parsed === 'object' && parsed !== null ? (parsed as { version?: unknown }).version : undefined;
    return typeof version === 'string' && version !== '' && version.length <= MAX_VERSION_LENGTH ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}
