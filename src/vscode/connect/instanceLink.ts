import { invalidConfig, SwarmError } from '../../core/errors';
import { instanceNameSchema } from '../../core/models';
import { parseOrThrow } from '../../core/validation';

/**
 * Links that open an instance: `<scheme>://remote-swarm.remote-swarm/open?instance=<name>&via=<way>`. A link can come
 * from anywhere (a web page, a chat message), so this only reads it: anything it does not expect is refused, naming
 * the part and what would be right, and nothing happens. No 'vscode' import here, so tests read links as text.
 */

export const CONNECTION_VIAS = ['tab', 'browser', 'ssh', 'attach'] as const;
export type ConnectionVia = (typeof CONNECTION_VIAS)[number];

export interface InstanceLink {
  instance: string;
  via: ConnectionVia;
}

const LINK_PATH = '/open';
const LINK_PARAMETERS: readonly string[] = ['instance', 'via'];
const VIA_CHOICES = `via=${CONNECTION_VIAS.join(', via=')}`;
/** Enough of a refused value to recognise it, not a page of whatever the link carried. */
const SHOWN_LENGTH = 40;

/** The instance and way a link names, from the path and query of its URI. */
export function parseInstanceLink(path: string, query: string): InstanceLink {
  if (path !== LINK_PATH) {
    throw invalidConfig('path', `${shown(path)} is not a Remote Swarm link; links look like ${LINK_PATH}?instance=<name>&via=<${CONNECTION_VIAS.join('|')}>.`);
  }
  const parameters = new URLSearchParams(query);
  for (const key of new Set(parameters.keys())) {
    if (!LINK_PARAMETERS.includes(key)) {
      throw new SwarmError('INVALID_CONFIG', `${shown(key)} is not a parameter of a Remote Swarm link; it takes only instance and via.`, { details: { field: key } });
    }
    if (parameters.getAll(key).length > 1) throw invalidConfig(key, 'is given more than once; a link names one instance and one way.');
  }
  return { instance: parseInstance(parameters.get('instance')), via: parseVia(parameters.get('via')) };
}

function parseInstance(name: string | null): string {
  if (name === null || name === '') throw invalidConfig('instance', 'is required: name the instance with instance=<name>, e.g. instance=dev-1.');
  return parseOrThrow(instanceNameSchema, name, 'instance');
}

function parseVia(via: string | null): ConnectionVia {
  if (via === null || via === '') throw invalidConfig('via', `is required: say how to open the instance with ${VIA_CHOICES}.`);
  const known = CONNECTION_VIAS.find((candidate) => candidate === via);
  if (known === undefined) throw invalidConfig('via', `${shown(via)} is not a way to open an instance; use ${VIA_CHOICES}.`);
  return known;
}

function shown(value: string): string {
  return JSON.stringify(value.length > SHOWN_LENGTH ? `${value.slice(0, SHOWN_LENGTH)}…` : value);
}
