import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { BUILD_DIR, REPO_ROOT } from './paths';

const VSCE = path.join(REPO_ROOT, 'node_modules', '.bin', 'vsce');
const COMPANION_SOURCE = path.join(__dirname, '..', 'companion');

/** Runs `fn` once per process; later calls share its promise. */
function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= fn());
}

async function vscePackage(extensionDir: string, vsix: string, extraArgs: readonly string[] = []): Promise<string> {
  mkdirSync(path.dirname(vsix), { recursive: true });
  try {
    await promisify(execFile)(VSCE, ['package', '--no-dependencies', '--out', vsix, ...extraArgs], { cwd: extensionDir });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`vsce package failed in ${extensionDir}:\n${stderr ?? ''}${stdout ?? ''}`);
  }
  return vsix;
}

/** Remote Swarm's .vsix as `npm run package` makes it (vsce runs vscode:prepublish, the production bundle). */
export const packageExtension = once(() => vscePackage(REPO_ROOT, path.join(BUILD_DIR, 'remote-swarm.vsix')));

/** The test-only companion extension that runs the extension-host suite inside code-server; never shipped. */
export const packageCompanion = once(async () => {
  const stage = path.join(BUILD_DIR, 'companion');
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  copyFileSync(path.join(COMPANION_SOURCE, 'package.json'), path.join(stage, 'package.json'));
  await esbuild.build({
    entryPoints: [path.join(COMPANION_SOURCE, 'extension.ts')],
    outfile: path.join(stage, 'extension.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    logLevel: 'warning',
  });
  return vscePackage(stage, path.join(BUILD_DIR, 'remote-swarm-test-companion.vsix'), ['--skip-license', '--allow-missing-repository']);
});
