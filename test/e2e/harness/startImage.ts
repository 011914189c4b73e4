import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { DEFAULT_IDE_IMAGE } from '../../../src/core/templates';

const DEFAULT_IMAGE_SETTING = 'remoteSwarm.docker.defaultImage';
/** Where test/setup/build-ide-image.sh tags its builds; a setting naming one of them was set by `npm start`. */
const LOCAL_IDE_REPOSITORY = 'remote-swarm/ide:';
/** A registry behind a firewall that drops packets would keep Docker dialling for longer than anyone waits. */
const REGISTRY_TIMEOUT_MS = 15_000;

export type StartImage =
  /** The default image is on the engine, or a registry serves it: nothing changes. */
  | { kind: 'default'; image: string }
  /** The user's own remoteSwarm.docker.defaultImage, left as it is. */
  | { kind: 'user'; image: string; settingsFile: string }
  /** The local IDE image, made the default because the default image cannot be had here (`reason`). */
  | { kind: 'local'; image: string; reason: string; settingsFile: string };

export interface StartImageOptions {
  docker: Docker;
  /** code-server's user data folder, whose settings the workbench starts with. */
  userDataDir: string;
  /** Builds (or finds cached) the local IDE image and returns its tag; told why the default image will not do. */
  prepareLocalImage: (reason: string) => Promise<string>;
  defaultImage?: string;
}

/**
 * Makes sure new instances get an image this machine can run: the default image when the engine has it or a registry
 * serves it, else the local IDE image, written as remoteSwarm.docker.defaultImage into code-server's user settings (the
 * setting is the user's only: no workspace or machine settings can set it). A default image the user set is theirs
 * and left alone.
 */
export async function chooseStartImage({ docker, userDataDir, prepareLocalImage, defaultImage = DEFAULT_IDE_IMAGE }: StartImageOptions): Promise<StartImage> {
  const settingsFile = path.join(userDataDir, 'User', 'settings.json');
  const settings = readSettings(settingsFile);
  const chosen = settings[DEFAULT_IMAGE_SETTING];
  if (typeof chosen === 'string' && chosen !== '' && !chosen.startsWith(LOCAL_IDE_REPOSITORY)) return { kind: 'user', image: chosen, settingsFile };
  const reason = await unavailableReason(docker, defaultImage);
  if (reason === undefined) return { kind: 'default', image: defaultImage };
  const image = await prepareLocalImage(reason);
  writeSettings(settingsFile, { ...settings, [DEFAULT_IMAGE_SETTING]: image });
  return { kind: 'local', image, reason, settingsFile };
}

/** Why the engine cannot run `image`: undefined when it has it or a registry serves it (asked without pulling). */
export async function unavailableReason(docker: Docker, image: string): Promise<string | undefined> {
  const present = await docker
    .getImage(image)
    .inspect()
    .then(() => true)
    .catch(() => false);
  if (present) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => (timer = setTimeout(resolve, REGISTRY_TIMEOUT_MS, `no registry answered within ${REGISTRY_TIMEOUT_MS / 1000} s`)));
  const registry = docker
    .getImage(image)
    .distribution()
    .then(() => undefined)
    .catch((error: unknown) => registryError(error));
  try {
    const problem = await Promise.race([registry, timeout]);
    return problem === undefined ? undefined : `${image} is not on this Docker Engine and ${problem}`;
  } finally {
    clearTimeout(timer);
  }
}

/** Docker's own words ("…lookup registry-1.docker.io…: no such host"), without dockerode's "(HTTP code 500) server error - ". */
function registryError(error: unknown): string {
  const message = (error as { json?: { message?: unknown } }).json?.message;
  return `no registry serves it here (${typeof message === 'string' ? message.trim() : String(error)})`;
}

/** settings.json as VS Code writes it (plain JSON); a file it cannot read is not overwritten. */
function readSettings(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8') || '{}') as Record<string, unknown>;
  } catch (error) {
    throw new Error(`Cannot read ${file} (${(error as Error).message}): fix or remove it, then start again.`);
  }
}

function writeSettings(file: string, settings: Record<string, unknown>): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(settings, null, 2)}\n`);
}
