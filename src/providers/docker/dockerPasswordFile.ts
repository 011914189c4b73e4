import type Docker from 'dockerode';
import { SwarmError } from '../../core/errors';
import type { Owner } from '../../core/workspaces/tarOwner';
import { privateFileArchive, readContainerFile } from './dockerArchive';
import { containerEnvValue } from './dockerEnv';

/**
 * How the code-server password reaches a container. On this machine's own engine it is the PASSWORD variable:
 * whoever can read a container's environment there (docker inspect, /proc) can use the engine, so is root here
 * already, and the stock image needs nothing else. On any other engine (tcp://, ssh://), which others may share, it
 * is a file only the image's user can read (0600), which code-server reads as its config file (CODE_SERVER_CONFIG):
 * it is then in no `docker inspect` and in the environment of no `docker exec`.
 */
export type PasswordDelivery = 'env' | 'file';

const CONFIG_PARENT = '/etc';
const CONFIG_FOLDER = 'remote-swarm';
const CONFIG_FILE = 'code-server.yaml';
const CODE_SERVER_CONFIG_PATH = `${CONFIG_PARENT}/${CONFIG_FOLDER}/${CONFIG_FILE}`;
const PASSWORD_KEY = 'password: ';

/** The environment entry that gives code-server its password, or says where to read it. */
export function passwordEnv(password: string, delivery: PasswordDelivery): string {
  return delivery === 'env' ? `PASSWORD=${password}` : `CODE_SERVER_CONFIG=${CODE_SERVER_CONFIG_PATH}`;
}

/** Writes the password file into a created container before it starts, owned by the user its image runs as. */
export async function putPasswordFile(container: Docker.Container, password: string, signal?: AbortSignal): Promise<void> {
  const owner = await imageUser(container, signal);
  // A JSON string is a YAML string: the password needs no quoting rules of its own.
  const content = `auth: password\n${PASSWORD_KEY}${JSON.stringify(password)}\n`;
  const archive = await privateFileArchive(CONFIG_FOLDER, CONFIG_FILE, content, owner);
  await container.putArchive(archive, { path: CONFIG_PARENT, ...(signal ? { abortSignal: signal } : {}) });
}

/** The code-server password a container was given, either way; undefined when it has none. */
export async function passwordOf(container: Docker.Container, inspect: Docker.ContainerInspectInfo): Promise<string | undefined> {
  const fromEnv = containerEnvValue(inspect, 'PASSWORD');
  if (fromEnv !== undefined) return fromEnv;
  const configPath = containerEnvValue(inspect, 'CODE_SERVER_CONFIG');
  const content = configPath === undefined ? undefined : await readContainerFile(container, configPath);
  const line = content?.split('\n').find((candidate) => candidate.startsWith(PASSWORD_KEY));
  try {
    return line === undefined ? undefined : String(JSON.parse(line.slice(PASSWORD_KEY.length)));
  } catch {
    return undefined;
  }
}

/** Who the container's processes run as (its image's USER), as numbers; a name is looked up in its /etc/passwd. */
async function imageUser(container: Docker.Container, signal: AbortSignal | undefined): Promise<Owner> {
  const [user = '', group] = ((await container.inspect()).Config.User ?? '').split(':');
  if (user === '' || user === 'root') return { uid: 0, gid: 0 };
  const passwd = (await readContainerFile(container, '/etc/passwd', signal)) ?? '';
  const entry = passwd.split('\n').map((line) => line.split(':')).find((fields) => fields[0] === user || fields[2] === user);
  const uid = isNumber(user) ? Number(user) : entry && Number(entry[2]);
  if (uid === undefined || Number.isNaN(uid)) {
    throw new SwarmError('OPERATION_FAILED', `The image runs as user "${user}", who is not in its /etc/passwd: Remote Swarm cannot give code-server a password file that user can read.`);
  }
  // Only the owner reads the file; the group is the user's own where it is known.
  const gid = group !== undefined && isNumber(group) ? Number(group) : entry ? Number(entry[3]) : uid;
  return { uid, gid: Number.isNaN(gid) ? uid : gid };
}

function isNumber(text: string): boolean {
  return /^\d+$/.test(text);
}
