import { existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { SSH_CAPABILITIES } from '../../src/providers/ssh/sshProvider';
import { ensureCodeServer } from '../e2e/harness/setupScripts';
import { makeSshRig } from '../support/sshTestRig';
import { providerContract, type ContractSubject } from './providerContract';

/** Processes whose command line mentions `text` (e.g. a code-server started with a socket in an instance's state folder). */
function processesMentioning(text: string): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .flatMap((pid) => {
      try {
        const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
        return commandLine.includes(text) ? [`process ${pid}: ${commandLine.slice(0, 120)}`] : [];
      } catch {
        return [];
      }
    });
}

/**
 * SSH on a real OpenSSH sshd ("bring your own box"): create adds an existing host, delete forgets it. Two hosts: one
 * without code-server (it serves no IDE), and one where the real code-server is installed, which Remote Swarm runs on
 * a private socket and serves on a local port through the SSH connection.
 *
 * "Another registry" here: the SSH provider lists the hosts in its host store (globalState in the extension), not
 * anything on the host, so a front end sees the hosts added by another only when both read that store, as two windows
 * of one VS Code do. Each core in the suite has its own registry (its own state folder) and its own provider, over the
 * one host store of the rig: adopting means finding a host the other front end added there.
 */
function sshSubject(withCodeServer: boolean): ContractSubject {
  return {
    type: 'ssh',
    infrastructure: `a real OpenSSH sshd (a host ${withCodeServer ? 'with' : 'without'} code-server)`,
    capabilities: SSH_CAPABILITIES,
    instanceLimits: withCodeServer ? {} : { stop: false },
    servesIde: withCodeServer,
    badConfigs: [
      {
        what: 'a host without its address',
        field: 'options',
        code: 'INVALID_CONFIG',
        make: (valid) => ({ ...valid, options: {} }),
      },
    ],
    async setUp() {
      const launcher = withCodeServer ? await ensureCodeServer() : undefined;
      const rig = await makeSshRig();
      if (launcher) symlinkSync(launcher, join(rig.sshd.binDir, 'code-server'));
      const hostStoreFile = join(rig.home, 'hosts.json');
      return {
        makeProvider: () => rig.provider(),
        config: (name) => rig.hostConfig(name),
        async leftovers(id) {
          const left: string[] = [];
          if (existsSync(hostStoreFile) && readFileSync(hostStoreFile, 'utf8').includes(id)) left.push(`host store entry ${id}`);
          // Where Remote Swarm keeps an instance's code-server state on the host (src/providers/ssh/codeServerOnHost.ts).
          const stateDir = join(rig.sshd.home, '.local', 'state', 'remote-swarm', id);
          if (existsSync(stateDir)) left.push(`state folder ${stateDir}`);
          return [...left, ...processesMentioning(stateDir)];
        },
        tearDown: () => rig.dispose(),
      };
    },
  };
}

providerContract(sshSubject(false));
providerContract({ ...sshSubject(true), timeoutMs: 60_000 });
