/**
 * `npm run test:vscode`: runs the extension-host suite in desktop VS Code through @vscode/test-electron, with Remote
 * Swarm as the extension under development. It downloads VS Code (into the cache folder), so it needs the internet;
 * where there is none, `npm test` runs the same suite inside code-server (test/e2e/extensionHostSuite.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { CACHE_DIR, REPO_ROOT } from '../e2e/harness/paths';
import { removeTestInstances } from '../e2e/harness/testInstanceCleanup';
import { ensureTestImage, requireDocker } from '../support/dockerTestEnv';
import { makeTempDir } from '../support/tempDir';
import { bundleSuite } from './bundleSuite';
import { suiteUserSettings, suiteWorkspaceSettings, writeUserSettings, writeWorkspaceSettings } from './suiteSettings';

async function main(): Promise<void> {
  await requireDocker();
  execFileSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  const suite = await bundleSuite();
  const temp = makeTempDir('remote-swarm-vscode-');
  try {
    const userDataDir = path.join(temp.path, 'user-data');
    const workspace = path.join(temp.path, 'workspace');
    mkdirSync(workspace);
    writeUserSettings(userDataDir, suiteUserSettings(ensureTestImage()));
    writeWorkspaceSettings(workspace, suiteWorkspaceSettings());
    await runTests({
      cachePath: path.join(CACHE_DIR, 'vscode-test'),
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: suite,
      launchArgs: [workspace, '--user-data-dir', userDataDir, '--disable-extensions', '--disable-workspace-trust'],
      // Its own state folder: its window elects itself leader there, apart from the user's windows.
      extensionTestsEnv: { REMOTE_SWARM_STATE_DIR: path.join(temp.path, 'state') },
    });
  } finally {
    await removeTestInstances();
    temp.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  console.error('Where VS Code cannot be downloaded, the same suite runs inside code-server: npm run test:e2e');
  process.exitCode = 1;
});
