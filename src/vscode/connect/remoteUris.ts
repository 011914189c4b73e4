/**
 * The vscode-remote URIs other extensions resolve (no 'vscode' import here, so tests check them as text):
 * Dev Containers' "attached-container" and Remote-SSH's (and open-remote-ssh's) "ssh-remote".
 */

/** Dev Containers attaches to a running container by name: the authority is the hex of JSON {containerName: "/<name>"}. */
export function attachedContainerUri(containerName: string, folder: string, dockerHost?: string): string {
  const target = { containerName: `/${containerName}`, ...(dockerHost ? { settings: { host: dockerHost } } : {}) };
  return `vscode-remote://attached-container+${Buffer.from(JSON.stringify(target), 'utf8').toString('hex')}${encodePath(folder)}`;
}

/** Remote-SSH connects to a host of the user's ssh config by its name. */
export function sshRemoteUri(hostAlias: string, folder: string): string {
  return `vscode-remote://ssh-remote+${hostAlias}${encodePath(folder)}`;
}

function encodePath(folder: string): string {
  return folder.split('/').map(encodeURIComponent).join('/');
}
