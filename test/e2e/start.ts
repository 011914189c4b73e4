/**
 * `npm start`: Remote Swarm in a browser without desktop VS Code. Builds the extension, installs it into a fresh
 * extensions dir of the cached code-server, and serves that code-server on 127.0.0.1 (no password: loopback only)
 * with the local Docker provider. User data (settings, known instances) is kept between starts in the cache folder.
 * PORT chooses the port (default: a free one). Ctrl+C stops it.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { CodeServer, installExtensions, type CodeServerDirs } from './harness/codeServer';
import { packageExtension } from './harness/extensionPackages';
import { freeLoopbackPort } from './harness/freePort';
import { CACHE_DIR } from './harness/paths';
import { ensureCodeServer } from './harness/setupScripts';

const START_DIR = path.join(CACHE_DIR, 'start');

async function main(): Promise<void> {
  const dirs: CodeServerDirs = {
    userDataDir: path.join(START_DIR, 'user-data'),
    extensionsDir: path.join(START_DIR, 'extensions'),
    configDir: path.join(START_DIR, 'config'),
  };
  const workspace = path.join(START_DIR, 'workspace');
  rmSync(dirs.extensionsDir, { recursive: true, force: true });
  mkdirSync(workspace, { recursive: true });

  console.log('Preparing code-server and building the extension ...');
  const launcher = await ensureCodeServer();
  await installExtensions(launcher, dirs, [await packageExtension()]);
  const port = Number(process.env.PORT) || (await freeLoopbackPort());
  const server = await CodeServer.start({ ...dirs, launcher, workspace, port });

  console.log(`\nRemote Swarm is running in code-server: ${server.url}\nOpen it in a browser; the Remote Swarm icon is in the activity bar. Ctrl+C stops it.`);
  const stop = () => void server.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
