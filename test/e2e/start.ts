/**
 * `npm start`: Remote Swarm in a browser without desktop VS Code. Builds the extension, installs it into a fresh
 * extensions dir of the cached code-server, and serves that code-server on 127.0.0.1 (no password: loopback only)
 * with the local Docker provider. Where the default IDE image can be neither found nor pulled, new instances use the
 * local IDE image (test/setup/build-ide-image.sh). User data (settings, known instances) is kept between starts in the
 * cache folder. PORT chooses the port (default: a free one). Ctrl+C stops it.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { CodeServer, installExtensions, type CodeServerDirs } from './harness/codeServer';
import { packageExtension } from './harness/extensionPackages';
import { freeLoopbackPort } from './harness/freePort';
import { CACHE_DIR } from './harness/paths';
import { ensureCodeServer, ensureIdeImage } from './harness/setupScripts';
import { chooseStartImage } from './harness/startImage';

const START_DIR = path.join(CACHE_DIR, 'start');

/** Makes sure a first instance can start here, and says what it chose; a problem is told, not fatal (SSH hosts need no image). */
async function prepareInstanceImage(userDataDir: string): Promise<void> {
  const docker = new Docker();
  const engine = await docker.ping().then(
    () => undefined,
    (error: unknown) => (error as Error).message,
  );
  if (engine !== undefined) {
    console.log(`No Docker Engine answers here (${engine}): Docker instances need one. npm run setup installs and starts it.`);
    return;
  }
  try {
    const choice = await chooseStartImage({
      docker,
      userDataDir,
      prepareLocalImage: (reason) => {
        console.log(`${reason}.\nPreparing the local IDE image instead (test/setup/build-ide-image.sh; the first time takes a few minutes) ...`);
        return ensureIdeImage({ showProgress: true });
      },
    });
    if (choice.kind === 'local') {
      console.log(`New instances use the local IDE image ${choice.image}: remoteSwarm.docker.defaultImage is set to it in ${choice.settingsFile}.`);
    } else if (choice.kind === 'user') {
      console.log(`New instances use ${choice.image} (remoteSwarm.docker.defaultImage in ${choice.settingsFile}).`);
    }
  } catch (error) {
    console.log(`${(error as Error).message}\nInstances of the default image may not start here; npm run setup prepares the local IDE image.`);
  }
}

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
  const launcher = await ensureCodeServer({ showProgress: true });
  await installExtensions(launcher, dirs, [await packageExtension()]);
  await prepareInstanceImage(dirs.userDataDir);
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
