import assert from 'node:assert/strict';
import { SwarmError } from '../../src/core/errors';
import { instanceConfigSchema, type InstanceConfigInput } from '../../src/core/models';
import { flyAppName, flyAppUrl } from '../../src/providers/fly/flyAppNames';
import { flyExecCommand } from '../../src/providers/fly/flyExec';
import { flyInstanceSpec, machineConfigFor } from '../../src/providers/fly/flyMachineConfig';
import { decodeConfig, MAX_CONFIG_METADATA_LENGTH } from '../../src/providers/fly/flyMetadata';

function configOf(overrides: Partial<InstanceConfigInput> = {}) {
  return instanceConfigSchema.parse({
    name: 'dev-1',
    image: 'codercom/code-server:4.100.3',
    workspacePath: '/home/coder/project',
    resources: { cpuCores: 1, memoryMB: 512, storageGB: 10 },
    ports: [{ container: 8080, purpose: 'ide' }],
    env: { EDITOR: 'vim' },
    template: 'development',
    group: 'agents',
    ...overrides,
  });
}

describe('Fly machine configuration', () => {
  it('builds the machine: guest, workspace mount, https service to the IDE port, TLS service to the transfer port, /healthz check, our metadata', () => {
    const config = configOf({ command: ['code-server', '--bind-addr', '0.0.0.0:8080'] });
    const machine = machineConfigFor({ id: 'abc123', config, spec: flyInstanceSpec(config), volumeId: 'vol_1', owner: 'owner-1' });
    assert.equal(machine.image, config.image);
    assert.deepEqual(machine.guest, { cpu_kind: 'shared', cpus: 1, memory_mb: 512 });
    assert.deepEqual(machine.mounts, [{ volume: 'vol_1', path: '/home/coder/project' }]);
    assert.deepEqual(machine.services, [
      { protocol: 'tcp', internal_port: 8080, ports: [{ port: 443, handlers: ['tls', 'http'] }], autostart: false, autostop: false },
      { protocol: 'tcp', internal_port: 8722, ports: [{ port: 8722, handlers: ['tls'] }], autostart: false, autostop: false },
    ]);
    assert.deepEqual(machine.checks?.healthz, { type: 'http', port: 8080, method: 'GET', path: '/healthz', interval: '15s', timeout: '5s', grace_period: '30s' });
    assert.deepEqual(machine.init, { cmd: ['code-server', '--bind-addr', '0.0.0.0:8080'] });
    assert.deepEqual(machine.env, { EDITOR: 'vim' });
    assert.equal(machine.metadata?.remote_swarm_instance, 'abc123');
    assert.equal(machine.metadata?.remote_swarm_name, 'dev-1');
    assert.equal(machine.metadata?.remote_swarm_template, 'development');
    assert.equal(machine.metadata?.remote_swarm_group, 'agents');
    assert.equal(machine.metadata?.remote_swarm_owner, 'owner-1');
    assert.deepEqual(decodeConfig(machine.metadata), config);
  });

  it('routes to the IDE port the config names', () => {
    const config = configOf({ ports: [{ container: 3000, purpose: 'ide' }] });
    assert.equal(machineConfigFor({ id: 'a', config, spec: flyInstanceSpec(config), volumeId: 'v', owner: 'owner-1' }).services?.[0]?.internal_port, 3000);
  });

  it('leaves out a config too large for metadata, so adoption knows it cannot recover it', () => {
    const config = configOf({ env: { BIG: 'x'.repeat(MAX_CONFIG_METADATA_LENGTH) } });
    const machine = machineConfigFor({ id: 'a', config, spec: flyInstanceSpec(config), volumeId: 'v', owner: 'owner-1' });
    assert.equal(machine.metadata?.remote_swarm_config, undefined);
    assert.equal(machine.metadata?.remote_swarm_instance, 'a');
  });

  it('refuses a workspace at "/" before any API call', () => {
    assert.throws(() => flyInstanceSpec(configOf({ workspacePath: '/' })), (error: unknown) => SwarmError.is(error, 'INVALID_CONFIG') && error.details.field === 'workspacePath');
  });

  it('names the app from the instance id, as a DNS label', () => {
    assert.equal(flyAppName('remote-swarm-', '0a1b2c3d4e5f'), 'remote-swarm-0a1b2c3d4e5f');
    assert.equal(flyAppUrl('remote-swarm-0a1b2c3d4e5f'), 'https://remote-swarm-0a1b2c3d4e5f.fly.dev/');
    assert.throws(() => flyAppName('remote-swarm-', 'Not_Valid'), (error: unknown) => SwarmError.is(error, 'INVALID_CONFIG'));
  });

  describe('exec command', () => {
    it('passes argv as it is', () => {
      assert.deepEqual(flyExecCommand(['ls', '-la', '$HOME; rm -rf /']), ['ls', '-la', '$HOME; rm -rf /']);
    });

    it('sets variables with env and the directory with a fixed script, never a shell string of the arguments', () => {
      assert.deepEqual(flyExecCommand(['pwd'], { env: { A: '1 2' }, workdir: '/work dir' }), ['sh', '-c', 'cd "$1" && shift && exec "$@"', 'sh', '/work dir', 'env', 'A=1 2', 'pwd']);
    });
  });
});
