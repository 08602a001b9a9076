/**
 * dist/install.yaml: deploy/kustomize/base built with kubectl's kustomize, so
 * `kubectl apply -f` of one file installs what `kubectl apply -k` would.
 *
 *   npm run manifests            write it
 *   npm run manifests -- --check fail (exit 1) when it is stale
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { resolveBinaries } from '../cluster/binaries.ts';

const ROOT = path.join(import.meta.dirname, '..', '..');
export const INSTALL_YAML = path.join(ROOT, 'dist', 'install.yaml');

const HEADER = `# mini-reloader, cluster-wide. Generated from deploy/kustomize/base by
# \`npm run manifests\`; edit the kustomize base, not this file.
#   kubectl apply -f dist/install.yaml
`;

/** `kubectl kustomize <dir>` for a directory under deploy/. */
export function kustomize(dir: string): string {
  return execFileSync(resolveBinaries().kubectl, ['kustomize', path.join(ROOT, dir)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

export function installYaml(): string {
  return HEADER + kustomize('deploy/kustomize/base');
}

if (import.meta.main) {
  const wanted = installYaml();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(INSTALL_YAML, 'utf8');
    } catch {
      // A missing file is stale too.
    }
    if (current !== wanted) {
      console.error('dist/install.yaml is stale: run npm run manifests');
      process.exitCode = 1;
    }
  } else {
    mkdirSync(path.dirname(INSTALL_YAML), { recursive: true });
    writeFileSync(INSTALL_YAML, wanted);
    console.log(`wrote ${path.relative(ROOT, INSTALL_YAML)}`);
  }
}
