import { nodeFs } from '../node-fs.ts';

/** The longest version string shown; package.json is ours, but a label is no place for a surprise. */
const MAX_VERSION_LENGTH = 64;

/**
 * The `version` of the package.json beside `src/` or `dist/` (the image
 * copies it there), read as text and parsed on its own: nothing else is
 * loaded for it. "unknown" when it cannot be read.
 */
export function packageVersion(file: URL = new URL('../../package.json', import.meta.url)): string {
  try {
    const parsed: unknown = JSON.parse(nodeFs.readFileSync(file, 'utf8'));
    const version =
      typeof parsed === 'object' && parsed !== null ? (parsed as { version?: unknown }).version : undefined;
    return typeof version === 'string' && version !== '' && version.length <= MAX_VERSION_LENGTH ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}
