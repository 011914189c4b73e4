import { writeAtomically } from '../core/jsonFileStore';
import { readTextIfExists } from './readTextIfExists';
import { proxyCommandLine, quotedPath } from './sshConfigSyntax';

/** How ssh reaches one instance. */
export interface SshHostEntry {
  /** remote-swarm.<name>: the Host pattern, and the name its host key is recorded under. */
  alias: string;
  hostName: string;
  port: number;
  user: string;
  /** The private key to use; absent: the keys of the running ssh-agent. */
  identityFile?: string;
  /** An argv whose stdin and stdout are the connection, when the port is not reachable directly. */
  proxyCommand?: readonly string[];
  knownHostsFile: string;
}

const HEADER = [
  '# Remote Swarm: one Host block per instance. Remote Swarm rewrites this file when instances change, so edits here',
  '# are lost; put your own settings in ~/.ssh/config.',
];

const HOST_LINE = /^Host\s+(\S+)\s*$/;

/** One Host block. Host keys are checked strictly against Remote Swarm's known_hosts, under the alias. */
function renderHostBlock(entry: SshHostEntry): string[] {
  return [
    `Host ${entry.alias}`,
    `  HostName ${entry.hostName}`,
    `  Port ${entry.port}`,
    `  User ${entry.user}`,
    ...(entry.identityFile === undefined ? [] : [`  IdentityFile ${quotedPath(entry.identityFile)}`, '  IdentitiesOnly yes']),
    ...(entry.proxyCommand === undefined ? [] : [`  ProxyCommand ${proxyCommandLine(entry.proxyCommand)}`]),
    `  HostKeyAlias ${entry.alias}`,
    `  UserKnownHostsFile ${quotedPath(entry.knownHostsFile)}`,
    '  StrictHostKeyChecking yes',
  ];
}

/**
 * The ssh config file Remote Swarm owns (~/.ssh/remote-swarm/config): Host blocks sorted by alias under a fixed header,
 * so the same instances always give the same bytes. Written atomically with mode 0600, and only when it changes.
 */
export class ManagedSshConfig {
  constructor(readonly path: string) {}

  /** Adds or replaces the block of entry.alias; true when the file changed. */
  upsert(entry: SshHostEntry): boolean {
    const blocks = this.blocks();
    blocks.set(entry.alias, renderHostBlock(entry));
    return this.write(blocks);
  }

  /** Removes the block of the alias; true when there was one. */
  remove(alias: string): boolean {
    const blocks = this.blocks();
    return blocks.delete(alias) && this.write(blocks);
  }

  private blocks(): Map<string, string[]> {
    const blocks = new Map<string, string[]>();
    let current: string[] | undefined;
    for (const line of readTextIfExists(this.path).split(/\r?\n/)) {
      const alias = HOST_LINE.exec(line)?.[1];
      if (alias !== undefined) blocks.set(alias, (current = [line]));
      else if (current && line.trim() !== '') current.push(line);
    }
    return blocks;
  }

  private write(blocks: Map<string, string[]>): boolean {
    const sorted = [...blocks.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, lines]) => lines.join('\n'));
    const text = [HEADER.join('\n'), ...sorted].join('\n\n') + '\n';
    if (text === readTextIfExists(this.path)) return false;
    writeAtomically(this.path, text, 0o600);
    return true;
  }
}
