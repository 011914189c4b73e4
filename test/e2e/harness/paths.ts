import { homedir } from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** Git-ignored: what a failing workbench test leaves for a human (screenshot, code-server and extension host logs). */
export const ARTIFACTS_DIR = path.join(REPO_ROOT, '.test-artifacts', 'e2e');

/** Git-ignored build output of the harness: the packaged extensions and the bundled extension-host suite. */
export const BUILD_DIR = path.join(REPO_ROOT, 'out', 'e2e');

/** Outside the repository, kept between runs and clones: the code-server install and `npm start`'s state. Same default as test/setup/install-code-server.sh. */
export const CACHE_DIR = process.env.REMOTE_SWARM_CACHE || path.join(homedir(), '.cache', 'remote-swarm');

export const SETUP_DIR = path.join(REPO_ROOT, 'test', 'setup');
