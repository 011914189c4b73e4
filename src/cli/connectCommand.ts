import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { SwarmError } from '../core/errors';
import type { InstanceEndpoints } from '../core/provider';
import { ensureManagedConfigIncluded } from '../ssh/userSshConfigInclude';
import type { CliSession } from './cliSwarm';
import { EXIT, printJson } from './cliOutput';
import type { RunWithSwarm } from './instanceCommands';
import { ask } from './terminalPrompts';

interface ConnectOptions {
  json?: boolean;
  open?: boolean;
  vscode?: boolean;
  yes?: boolean;
}

/** connect <name>: how to reach it; --open opens its IDE in the browser; --vscode opens VS Code on it through Remote-SSH. */
export function registerConnectCommand(program: Command, run: RunWithSwarm): void {
  program
    .command('connect <name>')
    .description('how to reach an instance: its IDE URL and ssh; --open opens the IDE, --vscode opens VS Code through Remote-SSH')
    .option('--json', 'print JSON instead of text')
    .option('--open', 'open the IDE URL in the browser')
    .option('--vscode', 'open the workspace in VS Code through Remote-SSH (prepares ~/.ssh/remote-swarm)')
    .option('-y, --yes', 'with --vscode: add the one Include line to ~/.ssh/config without asking, if it is missing')
    .action((name: string, options: ConnectOptions) =>
      run(async (swarm, session) => {
        const endpoints = await swarm.controller.endpoints(name);
        if (options.vscode) return openInVsCode(session, name, endpoints, options.yes === true);
        if (options.json) return printJson(endpoints);
        if (options.open) return openInBrowser(name, endpoints);
        if (endpoints.ide) process.stdout.write(`${endpoints.ide}\n`);
        if (endpoints.ssh) process.stdout.write(`ssh -p ${endpoints.ssh.port} ${endpoints.ssh.user ? `${endpoints.ssh.user}@` : ''}${endpoints.ssh.host}\n`);
        if (!endpoints.ide && !endpoints.ssh) process.stderr.write(`"${name}" offers no way in while it is ${swarm.controller.get(name).status}\n`);
      }),
    );
}

function openInBrowser(name: string, { ide }: InstanceEndpoints): number {
  if (!ide) throw new SwarmError('CONFLICT', `"${name}" serves no IDE now; start it, or reach it with: remote-swarm ssh ${name}`);
  const [command, ...args] = process.platform === 'darwin' ? ['open', ide] : process.platform === 'win32' ? ['cmd', '/c', 'start', '', ide] : ['xdg-open', ide];
  spawn(command!, args, { detached: true, stdio: 'ignore' }).on('error', () => process.stderr.write(`Open ${ide} in your browser.\n`)).unref();
  process.stdout.write(`${ide}\n`);
  return EXIT.ok;
}

/**
 * Remote-SSH's way in: the instance's Host block and host keys in ~/.ssh/remote-swarm, the Include line in ~/.ssh/config
 * (only with consent), then `code --remote ssh-remote+<alias> <workspace>`, or that command printed where VS Code is
 * not on the PATH.
 */
async function openInVsCode({ swarm, ssh }: CliSession, name: string, endpoints: InstanceEndpoints, yes: boolean): Promise<number> {
  const instance = swarm.controller.get(name);
  const alias = await ssh.access.prepare(instance, endpoints.ssh, (argv) => swarm.controller.exec(instance.id, argv));
  const { userConfigFile, configFile, home } = ssh.directory;
  const included = await ensureManagedConfigIncluded({ userConfigFile, configFile, home }, () => (yes ? Promise.resolve(true) : askInclude(userConfigFile, configFile)));
  if (included.outcome === 'declined') {
    process.stderr.write(`VS Code's Remote-SSH finds "${alias}" only once ${userConfigFile} includes ${configFile}: add the line Include "${configFile}" at its top, or run again with --yes.\n`);
    return EXIT.conflict;
  }
  if (included.outcome === 'added') process.stderr.write(`Added an Include of ${configFile} to ${userConfigFile}${included.backup ? ` (the previous file is ${included.backup})` : ''}\n`);
  const argv = ['code', '--remote', `ssh-remote+${alias}`, instance.config.workspacePath];
  const opened = await new Promise<boolean>((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
  if (!opened) process.stdout.write(`${argv.join(' ')}\n`);
  return EXIT.ok;
}

async function askInclude(userConfigFile: string, configFile: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const answer = await ask(`Add the line Include "${configFile}" at the top of ${userConfigFile} (a backup is kept)? [y/N] `);
  return /^y(es)?$/i.test(answer.trim());
}
