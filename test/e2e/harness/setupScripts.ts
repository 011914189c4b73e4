import { spawn } from 'node:child_process';
import path from 'node:path';
import { SETUP_DIR } from './paths';

export interface SetupScriptOptions {
  /** Let the script talk to the terminal (its progress, a sudo prompt) instead of keeping its stderr for the error. */
  showProgress?: boolean;
}

/** Runs a test/setup script and returns the first word of the last line it printed; its stderr explains a failure. */
async function runSetupScript(script: string, { showProgress = false }: SetupScriptOptions = {}): Promise<string> {
  const child = spawn('bash', [path.join(SETUP_DIR, script)], { stdio: showProgress ? ['inherit', 'pipe', 'inherit'] : ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | string>((resolve) => {
    child.once('close', (exitCode, signal) => resolve(exitCode ?? signal ?? 'unknown'));
    child.once('error', (error) => resolve(error.message));
  });
  if (code !== 0) {
    throw new Error(`test/setup/${script} failed (${code})${showProgress ? ': its output is above' : `:\n${stderr.trim()}`}`);
  }
  const result = stdout.trim().split('\n').pop()?.split(/\s+/)[0];
  if (!result) throw new Error(`test/setup/${script} printed nothing`);
  return result;
}

/** The `code-server` launcher of the cached code-server install, installing it on first use (about a minute). */
export function ensureCodeServer(options?: SetupScriptOptions): Promise<string> {
  return runSetupScript('install-code-server.sh', options);
}

/** The tag of the IDE image (debootstrap Debian + openssh-server + Node.js 20 + code-server), built on first use. */
export function ensureIdeImage(options?: SetupScriptOptions): Promise<string> {
  return runSetupScript('build-ide-image.sh', options);
}
