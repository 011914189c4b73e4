import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SSH_CAPABILITIES } from '../../src/providers/ssh/sshProvider';
import { makeSshRig } from '../support/sshTestRig';
import { providerContract } from './providerContract';

/**
 * SSH on a real OpenSSH sshd, a host without code-server ("bring your own box"): create adds the host, delete forgets
 * it, and it serves no IDE.
 *
 * "Another registry" here: the SSH provider lists the hosts in its host store (globalState in the extension), not
 * anything on the host, so a front end sees the hosts added by another only when both read that store, as two windows
 * of one VS Code do. Each core in the suite has its own registry (its own state folder) and its own provider, over the
 * one host store of the rig: adopting means finding a host the other front end added there.
 */
providerContract({
  type: 'ssh',
  infrastructure: 'a real OpenSSH sshd (a host without code-server)',
  capabilities: SSH_CAPABILITIES,
  servesIde: false,
  badConfigs: [
    {
      what: 'a host without its address',
      field: 'sshHost',
      code: 'INVALID_CONFIG',
      make: ({ sshHost: _omitted, ...valid }) => valid,
    },
  ],
  async setUp() {
    const rig = await makeSshRig();
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
        return left;
      },
      tearDown: () => rig.dispose(),
    };
  },
});
