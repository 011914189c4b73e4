import assert from 'node:assert/strict';
import type { InstanceHealthView } from '../../src/core/health/healthSnapshot';
import type { HealthStatus } from '../../src/core/health/healthStatus';
import type { InstanceStatus } from '../../src/core/models';
import { execResultsMarkdown, formatCommandLine, parseCommandLine } from '../../src/vscode/groupCommandLine';
import { groupNameTaken, parseWorkerCount } from '../../src/vscode/groupInput';
import { groupPlanSummary } from '../../src/vscode/groupPlanSummary';
import { groupChildren, providerChildren } from '../../src/vscode/groupTreeNodes';
import { healthStatusBarContent } from '../../src/vscode/healthStatusText';
import type { GroupNode, InstanceNode } from '../../src/vscode/instanceTreeItems';
import { healthByGroup } from '../../media/health/healthGroups';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { MemoryProvider } from '../support/memoryProvider';
import { makeTempDir } from '../support/tempDir';

/** What a user reads off a tree level: group names with their members, instance names. */
function labels(nodes: readonly (GroupNode | InstanceNode)[]): (string | [string, string[]])[] {
  return nodes.map((node) => (node.kind === 'group' ? [node.group.name, groupChildren(node).map((child) => child.instance.name)] : node.instance.name));
}

describe('groups in the Instances tree', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let core: CoreHarness;

  beforeEach(async () => {
    temp = makeTempDir();
    core = await makeCore(temp.path, { memory: () => new MemoryProvider() });
    core.settings.maxInstances = 40;
  });

  afterEach(() => {
    core.dispose();
    temp.remove();
  });

  it('puts each group under its provider, by name, its coordinator first and its workers in numeric order, then the instances in no group', async () => {
    await core.controller.create({ provider: 'memory', name: 'solo' });
    await core.swarm.groups.create({ provider: 'memory', name: 'swarm-10', workers: 1 });
    await core.swarm.groups.create({ provider: 'memory', name: 'swarm-2', workers: 11 });
    await core.controller.create({ provider: 'memory', name: 'box-1' });

    const children = providerChildren(core.controller.list({ provider: 'memory' }));

    const workers = Array.from({ length: 11 }, (_, index) => `swarm-2-worker-${index + 1}`);
    assert.deepEqual(labels(children), [['swarm-2', ['swarm-2-coordinator', ...workers]], ['swarm-10', ['swarm-10-coordinator', 'swarm-10-worker-1']], 'box-1', 'solo']);
    const [group] = children as GroupNode[];
    assert.deepEqual([group!.group.running, group!.group.members.length, group!.group.status], [12, 12, 'running']);
  });

  it('shows a group whose members run in part as partial, and one with no group as before', async () => {
    await core.swarm.groups.create({ provider: 'memory', name: 'pair', workers: 1 });
    await core.controller.stop('pair-worker-1');

    const [node] = providerChildren(core.controller.list({ provider: 'memory' })) as GroupNode[];
    assert.deepEqual([node!.group.running, node!.group.status], [1, 'partial']);
    assert.deepEqual(providerChildren([]), []);
  });

  it('confirms Create Group with the plan: members, templates and how they find each other', async () => {
    const plan = core.swarm.groups.plan({ provider: 'memory', name: 'review', template: 'agent-swarm', workers: 6 });

    const summary = groupPlanSummary(plan, 'Memory');
    assert.equal(summary.question, 'Create the group "review": 7 instances on Memory?');
    assert.equal(
      summary.detail,
      [
        'Coordinator: review-coordinator (template development)',
        'Workers: 6 × template agent: review-worker-1 … review-worker-6',
        'Network: none of its own (Memory has no private networks); members reach each other by host name.',
      ].join('\n'),
    );
    const onNetwork = groupPlanSummary({ ...plan, network: 'group-review' }, 'Docker');
    assert.match(onNetwork.detail, /Network: group-review, private to the group; members reach each other as coordinator, worker-N and workers/);
    assert.match(groupPlanSummary(core.swarm.groups.plan({ provider: 'memory', name: 'small', workers: 2 }), 'Memory').detail, /Workers: 2 × template agent: small-worker-1, small-worker-2\n/);
  });
});

describe('what the group commands take as typed', () => {
  it('splits a command line into argv as a shell splits words, expanding nothing', () => {
    assert.deepEqual(parseCommandLine('hostname').argv, ['hostname']);
    assert.deepEqual(parseCommandLine('  sh -c \'echo "$HOME" | wc -c\'  ').argv, ['sh', '-c', 'echo "$HOME" | wc -c']);
    assert.deepEqual(parseCommandLine('echo "a \\"quoted\\" word" it\\\'s \'\' $PATH *').argv, ['echo', 'a "quoted" word', "it's", '', '$PATH', '*']);
    assert.deepEqual(parseCommandLine('printf "%s\\n" x').argv, ['printf', '%s\\n', 'x']);
  });

  it('refuses a line that is empty or leaves a quote open, saying what is wrong', () => {
    assert.equal(parseCommandLine('   ').problem, 'Type the command to run, e.g. hostname');
    assert.equal(parseCommandLine('echo "unfinished').problem, 'A double quote is not closed');
    assert.equal(parseCommandLine("echo 'unfinished").problem, 'A single quote is not closed');
    assert.equal(parseCommandLine('echo \\').problem, 'The command ends with a lone backslash');
  });

  it('writes an argv back as a line that parses to the same argv', () => {
    const argv = ['sh', '-c', "echo 'hi' | tr a-z A-Z", '', 'plain/path.txt'];
    assert.equal(formatCommandLine(argv), `sh -c 'echo '\\''hi'\\'' | tr a-z A-Z' '' plain/path.txt`);
    assert.deepEqual(parseCommandLine(formatCommandLine(argv)).argv, argv);
  });

  it('takes a worker count from 0 to 500 and names the problem otherwise', () => {
    assert.deepEqual(parseWorkerCount(' 5 '), { workers: 5 });
    assert.deepEqual(parseWorkerCount('0'), { workers: 0 });
    assert.equal(parseWorkerCount('five').problem, 'Workers must be a whole number, e.g. 4');
    assert.equal(parseWorkerCount('2.5').problem, 'Workers must be a whole number, e.g. 4');
    assert.equal(parseWorkerCount('-1').problem, 'Workers must be a whole number, e.g. 4');
    assert.equal(parseWorkerCount('501').problem, 'Workers must be at most 500');
  });

  it('refuses a group name that a group or its coordinator-to-be already has', () => {
    const groups = new Set(['swarm-1']);
    const instances = new Set(['swarm-2-coordinator']);
    const taken = (name: string) => groupNameTaken(name, (group) => groups.has(group), (instance) => instances.has(instance));
    assert.equal(taken('swarm-1'), 'A group named "swarm-1" exists already');
    assert.equal(taken('swarm-2'), 'An instance named "swarm-2-coordinator" exists already');
    assert.equal(taken('swarm-3'), undefined);
  });
});

describe('the results of Run Command in Group', () => {
  it('are one Markdown table in member order: member, role, exit code and the first lines of output, or why it could not run', () => {
    const markdown = execResultsMarkdown(
      'swarm-1',
      ['sh', '-c', 'hostname; echo done'],
      [
        { member: 'swarm-1-coordinator', role: 'coordinator', result: { exitCode: 0, stdout: 'c0ffee\ndone\n', stderr: '' } },
        { member: 'swarm-1-worker-1', role: 'worker-1', result: { exitCode: 2, stdout: '1\n2\n3\n4\n5\n', stderr: 'a | b\n' } },
        { member: 'swarm-1-worker-2', role: 'worker-2', error: 'Instance "swarm-1-worker-2" is not running' },
      ],
      new Date(0),
    );
    const lines = markdown.split('\n');
    assert.equal(lines[0], '# Run in group swarm-1');
    assert.match(lines[2]!, /^`sh -c 'hostname; echo done'` on 3 members, .*: 1 exited 0\.$/);
    assert.deepEqual(lines.slice(4, 9), [
      '| Member | Role | Exit code | Output |',
      '| --- | --- | ---: | --- |',
      '| swarm-1-coordinator | coordinator | 0 | c0ffee ⏎ done |',
      '| swarm-1-worker-1 | worker-1 | 2 | 1 ⏎ 2 ⏎ 3 ⏎ … (3 more lines) |',
      '| swarm-1-worker-2 | worker-2 | — | could not run: Instance "swarm-1-worker-2" is not running |',
    ]);
  });

  it('keeps what a member printed inside its cell', () => {
    const markdown = execResultsMarkdown('g', ['cat'], [{ member: 'g-coordinator', role: 'coordinator', result: { exitCode: 0, stdout: 'a|b `c` <d> *e*', stderr: '' } }], new Date(0));
    assert.ok(markdown.includes('| g-coordinator | coordinator | 0 | a\\|b \\`c\\` \\<d\\> \\*e\\* |'), markdown);
  });
});

describe('groups in the health status bar and the health panel', () => {
  const view = (name: string, group: string | undefined, instanceStatus: InstanceStatus, health: HealthStatus): InstanceHealthView => ({
    id: name,
    name,
    provider: 'docker',
    group,
    instanceStatus,
    monitored: instanceStatus === 'running',
    health,
    statistics: { checks: 0 },
    latency: [],
    recentErrors: [],
    recoveryAttempts: [],
  });

  it('lists each group with its running members in the status bar tooltip', () => {
    const content = healthStatusBarContent({ lastSweepAt: 1, instances: [] }, [
      { name: 'swarm-1', running: 4, members: [1, 2, 3, 4, 5] },
      { name: 'swarm-2', running: 0, members: [1] },
    ]);
    assert.deepEqual(content.groups, ['swarm-1: 4/5 running', 'swarm-2: 0/1 running']);
    assert.deepEqual(healthStatusBarContent({ lastSweepAt: 1, instances: [] }).groups, []);
  });

  it('rolls the health panel up per group: running, healthy of those checked, and who is in trouble', () => {
    const groups = healthByGroup([
      view('solo', undefined, 'running', 'HEALTHY'),
      view('s10-coordinator', 's10', 'running', 'HEALTHY'),
      view('s2-coordinator', 's2', 'running', 'HEALTHY'),
      view('s2-worker-1', 's2', 'running', 'UNHEALTHY'),
      view('s2-worker-2', 's2', 'running', 'RECOVERING'),
      view('s2-worker-3', 's2', 'stopped', 'UNKNOWN'),
    ]);
    assert.deepEqual(groups, [
      { name: 's2', members: 4, running: 3, healthy: 1, checked: 3, troubled: ['s2-worker-1', 's2-worker-2'] },
      { name: 's10', members: 1, running: 1, healthy: 1, checked: 1, troubled: [] },
    ]);
  });
});
