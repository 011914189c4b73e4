import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import type { InstanceConfig } from '../../core/models';
import { volumeLabels } from '../dockerEngine/dockerLabels';

/** The password as code-server reads it from its config file: a JSON string is a YAML string, so no quoting rules of its own. */
export function codeServerConfig(password: string): string {
  return `auth: password\npassword: ${JSON.stringify(password)}\n`;
}

/** The password in a code-server config file; undefined when there is none. */
export function passwordInConfig(content: string): string | undefined {
  const line = content.split('\n').find((candidate) => candidate.startsWith('password: '));
  try {
    return line === undefined ? undefined : String(JSON.parse(line.slice('password: '.length)));
  } catch {
    return undefined;
  }
}

/**
 * Makes the Docker secret holding an instance's code-server configuration. Secrets cannot change: a new password is a
 * new secret (the name carries a random suffix), swapped into the service, and the old one removed.
 */
export async function createPasswordSecret(
  docker: Docker,
  id: string,
  config: InstanceConfig,
  password: string,
  extraLabels: Record<string, string>,
): Promise<{ id: string; name: string }> {
  const name = `remote-swarm-${config.name}-${id}-${randomBytes(3).toString('hex')}`;
  const created = (await docker.createSecret({ Name: name, Labels: volumeLabels(id, config, extraLabels), Data: Buffer.from(codeServerConfig(password)).toString('base64') })) as { id: string };
  return { id: created.id, name };
}
