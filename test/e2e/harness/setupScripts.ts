import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { SETUP_DIR } from './paths';

const run = promisify(execFile);

/** Runs a test/setup script and returns the first word of the last line it printed; its stderr explains a failure. */
async function runSetupScript(script: string): Promise<string> {
  try {
    const { stdout } = await run('bash', [path.join(SETUP_DIR, script)], { maxBuffer: 16 * 1024 * 1024 });
    const result = stdout.trim().split('\n').pop()?.split(/\s+/)[0];
    if (!result) throw new Error(`${script} printed nothing`);
    return result;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`test/setup/${script} failed:\n${stderr || String(error)}`);
  }
}

/** The `code-server` launcher of the cached code-server install, installing it on first use (about a minute). */
export function ensureCodeServer(): Promise<string> {
  return runSetupScript('install-code-server.sh');
}

/** The tag of the IDE image (debootstrap Debian + openssh-server + Node.js 20 + code-server), built on first use. */
export function ensureIdeImage(): Promise<string> {
  return runSetupScript('build-ide-image.sh');
}
