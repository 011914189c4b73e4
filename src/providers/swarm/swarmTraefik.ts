/**
 * Traefik v3 routing for instances, as labels on their services that Traefik's Swarm provider reads
 * (https://doc.traefik.io/traefik/routing/providers/swarm/): a router per instance matching Host(`<name>.<domain>`),
 * and a service pointing at code-server's port, which Traefik cannot detect on Swarm.
 */
export interface TraefikSettings {
  /** Instances answer at <name>.<domain>. */
  domain: string;
  /** The entrypoint(s) of Traefik's static configuration the routers listen on, e.g. "websecure". */
  entrypoints: string[];
  /** TLS on the router; with a certificate resolver of Traefik's static configuration, e.g. "letsencrypt". */
  tls: boolean;
  certResolver?: string;
  /** The overlay network Traefik reaches services on; instances join it. */
  network: string;
  /** Which label names the network: "swarm" (traefik.swarm.network, Traefik ≥ 3.2) or "docker" (traefik.docker.network, before). */
  networkLabel: 'swarm' | 'docker';
}

/** The router's and the service's name for an instance. */
export function traefikName(instanceName: string): string {
  return `remote-swarm-${instanceName}`;
}

export function traefikLabels(instanceName: string, idePort: number, settings: TraefikSettings): Record<string, string> {
  const name = traefikName(instanceName);
  const router = `traefik.http.routers.${name}`;
  return {
    'traefik.enable': 'true',
    [`${router}.rule`]: `Host(\`${instanceName}.${settings.domain}\`)`,
    ...(settings.entrypoints.length === 0 ? {} : { [`${router}.entrypoints`]: settings.entrypoints.join(',') }),
    ...(settings.tls || settings.certResolver ? { [`${router}.tls`]: 'true' } : {}),
    ...(settings.certResolver ? { [`${router}.tls.certresolver`]: settings.certResolver } : {}),
    [`${router}.service`]: name,
    [`traefik.http.services.${name}.loadbalancer.server.port`]: String(idePort),
    [`traefik.${settings.networkLabel}.network`]: settings.network,
  };
}

/** The URL an instance answers at through Traefik. */
export function traefikUrl(instanceName: string, settings: TraefikSettings): string {
  return `${settings.tls || settings.certResolver ? 'https' : 'http'}://${instanceName}.${settings.domain}/`;
}

export interface TraefikRouter {
  rule?: string;
  entryPoints: string[];
  tls?: { certResolver?: string };
  service?: string;
}

export interface TraefikService {
  servers: { port?: number }[];
}

/** What Traefik makes of a service's labels: its HTTP routers and services, and the network it reaches the service on. */
export interface TraefikRouting {
  enabled: boolean;
  routers: Record<string, TraefikRouter>;
  services: Record<string, TraefikService>;
  network?: string;
}

/**
 * Reads labels as Traefik's label grammar defines them: `traefik.http.routers.<router>.<option>` and
 * `traefik.http.services.<service>.loadbalancer.server.port`, option names case-insensitive, entrypoints comma-separated,
 * `.tls=true` or any `.tls.*` option turning TLS on; a router without a service takes the one service the labels
 * define. Traefik's Swarm provider exposes a service only with traefik.enable=true when exposedByDefault is off.
 */
export function readTraefikLabels(labels: Record<string, string>): TraefikRouting {
  const routing: TraefikRouting = { enabled: labels['traefik.enable']?.toLowerCase() === 'true', routers: {}, services: {} };
  for (const [key, value] of Object.entries(labels)) {
    const router = /^traefik\.http\.routers\.([^.]+)\.(.+)$/i.exec(key);
    if (router) {
      const entry = (routing.routers[router[1]!] ??= { entryPoints: [] });
      const option = router[2]!.toLowerCase();
      if (option === 'rule') entry.rule = value;
      else if (option === 'entrypoints') entry.entryPoints = value.split(',').map((part) => part.trim()).filter(Boolean);
      else if (option === 'service') entry.service = value;
      else if (option === 'tls') entry.tls = value.toLowerCase() === 'true' ? (entry.tls ?? {}) : undefined;
      else if (option === 'tls.certresolver') entry.tls = { ...entry.tls, certResolver: value };
      continue;
    }
    const service = /^traefik\.http\.services\.([^.]+)\.loadbalancer\.server\.port$/i.exec(key);
    if (service) {
      routing.services[service[1]!] = { servers: [{ port: Number(value) }] };
      continue;
    }
    if (/^traefik\.(swarm|docker)\.network$/i.test(key)) routing.network = value;
  }
  const services = Object.keys(routing.services);
  if (services.length === 1) for (const router of Object.values(routing.routers)) router.service ??= services[0];
  return routing;
}
