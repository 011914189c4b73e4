import assert from 'node:assert/strict';
import { instanceConfigSchema, type InstanceConfigInput } from '../../src/core/models';
import { readTraefikLabels } from '../../src/providers/swarm';
import { derivedAddress } from '../../src/providers/swarm/swarmNodeEngines';
import { serviceSpec, type ServiceSettings } from '../../src/providers/swarm/swarmServiceSpec';
import { traefikLabels } from '../../src/providers/swarm/swarmTraefik';

const settings: ServiceSettings = { publishMode: 'host', volumeDriver: 'local', extraLabels: {}, stopGraceSeconds: 10 };

function config(extra: Partial<InstanceConfigInput> = {}) {
  return instanceConfigSchema.parse({ name: 'dev-1', image: 'codercom/code-server', resources: { cpuCores: 2, memoryMB: 2048, storageGB: 10 }, ports: [{ container: 8080, purpose: 'ide' }], ...extra });
}

describe('Swarm service spec', () => {
  it('one replica with the resources as limits, the options as reservations, restart policy and placement', () => {
    const spec = serviceSpec({
      id: 'abc',
      config: config({ options: { constraints: ['node.labels.gpu==true'], spreadOver: ['zone'], reserveCpuCores: 1, reserveMemoryMB: 512, restartPolicy: 'on-failure' } }),
      volume: 'vol',
      pinnedNode: 'node-7',
      running: true,
      settings,
    });
    const template = spec.TaskTemplate as { Resources: unknown; RestartPolicy: { Condition: string }; Placement: unknown };
    assert.deepEqual(spec.Mode, { Replicated: { Replicas: 1 } });
    assert.deepEqual(template.Resources, { Limits: { NanoCPUs: 2e9, MemoryBytes: 2048 * 1024 * 1024 }, Reservations: { NanoCPUs: 1e9, MemoryBytes: 512 * 1024 * 1024 } });
    assert.equal(template.RestartPolicy.Condition, 'on-failure');
    assert.deepEqual(template.Placement, { Constraints: ['node.labels.gpu==true', 'node.id==node-7'], Preferences: [{ Spread: { SpreadDescriptor: 'node.labels.zone' } }] });
    assert.deepEqual(spec.EndpointSpec, { Mode: 'dnsrr', Ports: [{ Protocol: 'tcp', TargetPort: 8080, PublishMode: 'host' }] });
  });

  it('gives the password as a secret file and names it in the environment, never the password itself', () => {
    const spec = serviceSpec({ id: 'abc', config: config(), volume: 'vol', passwordSecret: { id: 's1', name: 'pw' }, running: true, settings });
    const container = (spec.TaskTemplate as { ContainerSpec: { Env: string[]; Secrets: unknown[] } }).ContainerSpec;
    assert.deepEqual(container.Secrets, [{ SecretID: 's1', SecretName: 'pw', File: { Name: '/run/secrets/remote-swarm-code-server.yaml', UID: '1000', GID: '1000', Mode: 0o400 } }]);
    assert.ok(container.Env.includes('CODE_SERVER_CONFIG=/run/secrets/remote-swarm-code-server.yaml'));
  });

  it('uses the configured volume driver, and ingress with a virtual IP only when asked to', () => {
    const spec = serviceSpec({ id: 'abc', config: config(), volume: 'vol', running: false, settings: { ...settings, volumeDriver: 'nfs', publishMode: 'ingress' } });
    const mount = (spec.TaskTemplate as { ContainerSpec: { Mounts: { VolumeOptions: { DriverConfig: { Name: string } } }[] } }).ContainerSpec.Mounts[0]!;
    assert.equal(mount.VolumeOptions.DriverConfig.Name, 'nfs');
    assert.equal(spec.EndpointSpec?.Mode, 'vip');
    assert.deepEqual(spec.Mode, { Replicated: { Replicas: 0 } });
  });

  it('puts a group member on its overlay network under its role, its name and, for a worker, "workers"', () => {
    const spec = serviceSpec({ id: 'abc', config: config({ name: 'g-worker-2', group: 'g', groupRole: 'worker-2' }), volume: 'vol', running: true, settings: { ...settings, network: 'shared' } });
    assert.deepEqual((spec.TaskTemplate as { Networks: unknown }).Networks, [{ Target: 'remote-swarm-group-g', Aliases: ['worker-2', 'g-worker-2', 'workers'] }, { Target: 'shared' }]);
  });
});

describe('Traefik labels', () => {
  it('read back into one router and one service as Traefik defines them', () => {
    const labels = traefikLabels('dev-1', 8080, { domain: 'ide.example.com', entrypoints: ['websecure'], tls: true, certResolver: 'le', network: 'traefik-public', networkLabel: 'swarm' });
    assert.deepEqual(readTraefikLabels(labels), {
      enabled: true,
      routers: { 'remote-swarm-dev-1': { rule: 'Host(`dev-1.ide.example.com`)', entryPoints: ['websecure'], tls: { certResolver: 'le' }, service: 'remote-swarm-dev-1' } },
      services: { 'remote-swarm-dev-1': { servers: [{ port: 8080 }] } },
      network: 'traefik-public',
    });
    assert.equal(labels['traefik.swarm.network'], 'traefik-public');
  });

  it('follows the grammar: case-insensitive options, comma-separated entrypoints, the one service taken by a router naming none', () => {
    const routing = readTraefikLabels({
      'traefik.enable': 'true',
      'traefik.http.routers.web.Rule': 'Host(`a.test`)',
      'traefik.http.routers.web.EntryPoints': 'web, websecure',
      'traefik.http.routers.web.tls': 'true',
      'traefik.http.services.app.LoadBalancer.server.port': '3000',
      'traefik.docker.network': 'proxy',
    });
    assert.deepEqual(routing.routers.web, { rule: 'Host(`a.test`)', entryPoints: ['web', 'websecure'], tls: {}, service: 'app' });
    assert.deepEqual(routing.services.app, { servers: [{ port: 3000 }] });
    assert.equal(routing.network, 'proxy');
    assert.equal(readTraefikLabels({}).enabled, false);
  });
});

describe('Reaching a node\'s engine', () => {
  it('the ssh:// manager\'s login at the node, a TLS manager\'s port, and nothing for a local or plain-HTTP manager', () => {
    assert.equal(derivedAddress('ssh://me@mgr:2222', '10.0.0.7', false), 'ssh://me@10.0.0.7:2222');
    assert.equal(derivedAddress('tcp://mgr:2376', '10.0.0.7', true), 'tcp://10.0.0.7:2376');
    assert.equal(derivedAddress('tcp://mgr:2375', '10.0.0.7', false), undefined);
    assert.equal(derivedAddress('unix:///var/run/docker.sock', '10.0.0.7', false), undefined);
    assert.equal(derivedAddress(undefined, '10.0.0.7', false), undefined);
  });
});
