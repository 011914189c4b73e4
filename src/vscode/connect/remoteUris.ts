/**
 * The vscode-remote URIs other extensions resolve (no 'vscode' import here, so tests check them as text):
 * Dev Containers' "attached-container" and Remote-SSH's (and open-remote-ssh's) "ssh-remote"; and, read back from a
 * window connected through one of them, what it is connected to.
 */

const ATTACHED_CONTAINER = 'attached-container';
const SSH_REMOTE = 'ssh-remote';

/** Where a window is connected, as it knows it: vscode.env.remoteName, and its folder URI's authority ("<remoteName>+<target>"). */
export interface WindowRemote {
  remoteName: string | undefined;
  authority: string | undefined;
}

/** Dev Containers attaches to a running container by name: the authority is the hex of JSON {containerName: "/<name>"}. */
export function attachedContainerUri(containerName: string, folder: string, dockerHost?: string): string {
  const target = { containerName: `/${containerName}`, ...(dockerHost ? { settings: { host: dockerHost } } : {}) };
  return `vscode-remote://${ATTACHED_CONTAINER}+${Buffer.from(JSON.stringify(target), 'utf8').toString('hex')}${encodePath(folder)}`;
}

/** Remote-SSH connects to a host of the user's ssh config by its name. */
export function sshRemoteUri(hostAlias: string, folder: string): string {
  return `vscode-remote://${SSH_REMOTE}+${hostAlias}${encodePath(folder)}`;
}

/** The container name (without Docker's leading "/") a Dev Containers window is attached to. */
export function attachedContainerName(remote: WindowRemote): string | undefined {
  const target = hexJson(remoteTarget(remote, ATTACHED_CONTAINER));
  const name = target?.containerName;
  return typeof name === 'string' && name.startsWith('/') ? name.slice(1) : undefined;
}

/** The ssh host a Remote-SSH window is connected to: as written, or hex of JSON {hostName} for names Remote-SSH encodes. */
export function sshRemoteHost(remote: WindowRemote): string | undefined {
  const target = remoteTarget(remote, SSH_REMOTE);
  if (target === undefined) return undefined;
  const encoded = hexJson(target);
  if (encoded === undefined) return target;
  return typeof encoded.hostName === 'string' ? encoded.hostName : undefined;
}

function remoteTarget({ remoteName, authority }: WindowRemote, kind: string): string | undefined {
  if (remoteName !== kind || !authority?.startsWith(`${kind}+`)) return undefined;
  return authority.slice(kind.length + 1);
}

function hexJson(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined || !/^(?:[0-9a-f]{2})+$/i.test(text)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'hex').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function encodePath(folder: string): string {
  return folder.split('/').map(encodeURIComponent).join('/');
}
