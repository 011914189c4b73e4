import path from 'node:path';
import * as esbuild from 'esbuild';
import { REPO_ROOT } from '../e2e/harness/paths';

/** Where the bundled suite goes (git-ignored). It must stay inside the repository: it loads mocha from its node_modules. */
export const SUITE_BUNDLE = path.join(REPO_ROOT, 'out', 'vscode-suite', 'index.js');

/**
 * Bundles the extension-host suite (test/vscode/index.ts and the suite files it loads) into one CommonJS file an
 * extension host can require: `vscode` comes from the host, mocha from the repository's node_modules.
 */
export async function bundleSuite(): Promise<string> {
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'index.ts')],
    outfile: SUITE_BUNDLE,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode', 'mocha'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return SUITE_BUNDLE;
}
