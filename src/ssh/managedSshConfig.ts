import { writeAtomically } from '../core/jsonFileStore';
import { readTextIfExists } from './readTextIfExists';
import { expandedPathArgument, pathOfArgument, proxyCommandArgv, proxyCommandLine } from './sshConfigSyntax';
import { exactHostAlias, exactHostName, isHostAlias, portNumber, posixUserName, renderable, requireOwnText } from './sshFileValues';

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

/**
 * One Host block, every value checked (see sshFileValues). Host keys are checked strictly against Remote Swarm's
 * known_hosts, under the alias.
 */
function renderHostBlock(entry: SshHostEntry): string {
  const alias = exactHostAlias(entry.alias, 'an ssh config file');
  return [
    `Host ${alias}`,
    `  HostName ${exactHostName(entry.hostName)}`,
    `  Port ${portNumber(entry.port)}`,
    `  User ${posixUserName(entry.user)}`,
    ...(entry.identityFile === undefined ? [] : [`  IdentityFile ${expandedPathArgument(entry.identityFile, 'identityFile')}`, '  IdentitiesOnly yes']),
    ...(entry.proxyCommand === undefined ? [] : [`  ProxyCommand ${proxyCommandLine(entry.proxyCommand)}`]),
    `  HostKeyAlias ${alias}`,
    `  UserKnownHostsFile ${expandedPathArgument(entry.knownHostsFile, 'knownHostsFile')}`,
    '  StrictHostKeyChecking yes',
  ].join('\n');
}

/** The whole file: Host blocks sorted by alias under a fixed header, so the same instances always give the same bytes. */
function renderConfig(entries: Iterable<SshHostEntry>): string {
  const sorted = [...entries].sort((a, b) => (a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : 0));
  return [HEADER.join('\n'), ...sorted.map(renderHostBlock)].join('\n\n') + '\n';
}

/** The ssh config file Remote Swarm owns (~/.ssh/remote-swarm/config). Written atomically with mode 0600, and only when it changes. */
export class ManagedSshConfig {
  constructor(readonly path: string) {}

  /** Adds or replaces the block of entry.alias; true when the file changed. */
  upsert(entry: SshHostEntry): boolean {
    // The entry first: a value it refuses is reported as that, whatever the file holds.
    renderHostBlock(entry);
    const entries = this.entryMap();
    entries.set(entry.alias, entry);
    return this.write(entries.values());
  }

  /** Removes the block of the alias; true when there was one. */
  remove(alias: string): boolean {
    const entries = this.entryMap();
    return entries.delete(alias) && this.write(entries.values());
  }

  /** Throws what upsert(entry) would throw, writing nothing: a value it refuses, or text in the file it did not write. */
  check(entry: SshHostEntry): void {
    renderHostBlock(entry);
    this.entries();
  }

  /**
   * The entries in the file. It must hold exactly what Remote Swarm wrote: anything else (a hand edit, or a Host block
   * slipped in through a value) is reported as a CONFLICT naming its line, and the file is left for the user to check.
   */
  entries(): SshHostEntry[] {
    const text = readTextIfExists(this.path);
    if (text === '') return [];
    const entries = readHostBlocks(text);
    requireOwnText(this.path, text, renderConfig(entries));
    return entries;
  }

  private entryMap(): Map<string, SshHostEntry> {
    return new Map(this.entries().map((entry) => [entry.alias, entry]));
  }

  private write(entries: Iterable<SshHostEntry>): boolean {
    const text = renderConfig(entries);
    if (text === readTextIfExists(this.path)) return false;
    writeAtomically(this.path, text, 0o600);
    return true;
  }
}

/**
 * The entries of the Host blocks Remote Swarm writes, read loosely: a block starts only at a Host line with one of its
 * aliases and takes each of its directives once; other lines and what would not render back (a value it refuses) are
 * left out, so that comparing the file with the entries finds the first line it did not write.
 */
function readHostBlocks(text: string): SshHostEntry[] {
  const blocks: Map<string, string>[] = [];
  for (const line of text.split('\n')) {
    const host = /^Host (.*)$/s.exec(line)?.[1];
    if (host !== undefined && isHostAlias(host)) {
      blocks.push(new Map([['Host', host]]));
      continue;
    }
    const [, key, value] = /^ {2}(\w+) (.*)$/s.exec(line) ?? [];
    const block = blocks.at(-1);
    if (block !== undefined && key !== undefined && value !== undefined && !block.has(key)) block.set(key, value);
  }
  const entries = blocks.map(entryOfBlock).filter((entry) => entry !== undefined);
  return renderable(entries, renderHostBlock);
}

function entryOfBlock(block: Map<string, string>): SshHostEntry | undefined {
  const [alias, hostName, port, user, knownHostsFile] = ['Host', 'HostName', 'Port', 'User', 'UserKnownHostsFile'].map((key) => block.get(key));
  const knownHostsPath = knownHostsFile === undefined ? undefined : pathOfArgument(knownHostsFile);
  if (alias === undefined || hostName === undefined || !/^\d+$/.test(port ?? '') || user === undefined || knownHostsPath === undefined) return undefined;
  const identityFile = block.get('IdentityFile');
  const identityPath = identityFile === undefined ? undefined : pathOfArgument(identityFile);
  const proxyCommand = block.get('ProxyCommand');
  return {
    alias,
    hostName,
    port: Number(port),
    user,
    ...(identityPath === undefined ? {} : { identityFile: identityPath }),
    ...(proxyCommand === undefined ? {} : { proxyCommand: proxyCommandArgv(proxyCommand) }),
    knownHostsFile: knownHostsPath,
  };
}
