import type { HealthSnapshot, InstanceHealthView } from '../../src/core/health/healthSnapshot';
import type { InstanceCommand } from '../../src/vscode/panels/panelProtocol';
import { html, mount } from '../shared/dom';
import { formatAgo, formatBytes, formatDuration, formatLatency, formatPercent, formatTime } from '../shared/format';
import { startPanel, type Panel } from '../shared/webviewApi';
import { healthByGroup } from './healthGroups';
import { latencyChart } from './latencyChart';

interface HealthView {
  /** The instance whose details are shown. */
  selected?: string;
}

type HealthPanel = Panel<HealthSnapshot, HealthView>;

startPanel<HealthSnapshot, HealthView>({}, render);

function render(panel: HealthPanel): void {
  const { snapshot, view } = panel.state;
  if (!snapshot) {
    mount(html('h1', {}, 'Instance health'), html('p', { class: 'empty' }, 'Waiting for the first health check…'));
    return;
  }
  const selected =
    snapshot.instances.find((instance) => instance.id === view.selected) ??
    snapshot.instances.find((instance) => instance.health === 'UNHEALTHY' || instance.health === 'RECOVERING') ??
    snapshot.instances.find((instance) => instance.monitored);
  mount(
    html('h1', {}, 'Instance health'),
    html('p', { class: 'subtitle' }, summary(snapshot)),
    groupTable(snapshot),
    snapshot.instances.length === 0 ? html('p', { class: 'empty' }, 'No instances yet.') : instanceTable(snapshot, selected?.id, panel),
    selected && details(selected, snapshot.generatedAt, panel),
  );
}

function summary({ instances, intervalMs, lastSweepAt, generatedAt }: HealthSnapshot): string {
  const checked = instances.filter((instance) => instance.monitored);
  const healthy = checked.filter((instance) => instance.health === 'HEALTHY').length;
  const cadence = intervalMs > 0 ? `checked every ${formatDuration(intervalMs)}` : 'checks are off (remoteSwarm.health.interval is 0)';
  const last = lastSweepAt === undefined ? 'not checked yet' : `last check ${formatAgo(lastSweepAt, generatedAt)}`;
  return `${healthy} of ${checked.length} running instance${checked.length === 1 ? '' : 's'} healthy · ${cadence} · ${last}`;
}

/** One row per group: its members running, healthy among those checked, and which are in trouble; nothing without groups. */
function groupTable({ instances }: HealthSnapshot): HTMLElement | false {
  const groups = healthByGroup(instances);
  if (groups.length === 0) return false;
  const header = html('tr', {}, html('th', {}, 'Group'), html('th', { class: 'number' }, 'Running'), html('th', { class: 'number' }, 'Healthy'), html('th', {}, 'Unhealthy or recovering'));
  const rows = groups.map((group) =>
    html(
      'tr',
      {},
      html('td', {}, group.name),
      html('td', { class: 'number' }, `${group.running}/${group.members}`),
      html('td', { class: 'number' }, `${group.healthy}/${group.checked}`),
      html('td', {}, group.troubled.length === 0 ? html('span', { class: 'muted' }, 'none') : html('span', { class: 'health-unhealthy' }, group.troubled.join(', '))),
    ),
  );
  return html('section', { class: 'groups' }, html('h2', {}, 'Groups'), html('table', { class: 'groups' }, html('thead', {}, header), html('tbody', {}, ...rows)));
}

function instanceTable(snapshot: HealthSnapshot, selectedId: string | undefined, panel: HealthPanel): HTMLTableElement {
  const header = html(
    'tr',
    {},
    html('th', {}, 'Instance'),
    html('th', {}, 'Health'),
    html('th', { class: 'number' }, 'Availability'),
    html('th', { class: 'number' }, 'Error rate'),
    html('th', { class: 'number' }, 'Latency avg / p95'),
    html('th', { class: 'number' }, 'CPU'),
    html('th', { class: 'number' }, 'Memory'),
    html('th', {}, 'Response times'),
  );
  const rows = snapshot.instances.map((instance) => {
    const { statistics, usage } = instance;
    const row = html(
      'tr',
      { class: `selectable${instance.id === selectedId ? ' selected' : ''}`, tabindex: '0', 'aria-selected': String(instance.id === selectedId) },
      html('td', {}, instance.name, html('div', { class: 'muted' }, [instance.provider, instance.template, instance.group && `group ${instance.group} (${instance.groupRole ?? 'member'})`].filter(Boolean).join(' · '))),
      html('td', {}, healthBadge(instance)),
      html('td', { class: 'number' }, formatPercent(statistics.availability)),
      html('td', { class: 'number' }, formatPercent(statistics.errorRate)),
      html('td', { class: 'number' }, `${formatLatency(statistics.averageResponseMs)} / ${formatLatency(statistics.p95ResponseMs)}`),
      html('td', { class: 'number' }, usage?.cpuPercent === undefined ? '—' : `${usage.cpuPercent.toFixed(1)}%`),
      html('td', { class: 'number' }, memory(instance)),
      html('td', {}, latencyChart(instance.latency, { width: 140, height: 28, labels: false })),
    );
    const select = () => panel.updateView({ selected: instance.id });
    row.addEventListener('click', select);
    row.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') select();
    });
    return row;
  });
  return html('table', { class: 'instances' }, html('thead', {}, header), html('tbody', {}, ...rows));
}

function healthBadge(instance: InstanceHealthView): HTMLElement {
  if (!instance.monitored) {
    const why = instance.stopReason === 'inactivity' ? ' (idle)' : instance.stopReason === 'budget' ? ' (budget)' : '';
    return html('span', { class: 'badge not-checked' }, `${instance.instanceStatus}${why}`);
  }
  return html('span', { class: `badge health-${instance.health.toLowerCase()}` }, instance.health);
}

/** The extension checks again and asks before it restarts; the button is only offered where that can go ahead. */
function restartable({ instanceStatus }: InstanceHealthView): boolean {
  return instanceStatus === 'running' || instanceStatus === 'error';
}

function memory({ usage }: InstanceHealthView): string {
  if (!usage) return '—';
  return usage.memoryLimitBytes ? `${formatBytes(usage.memoryBytes)} of ${formatBytes(usage.memoryLimitBytes)}` : formatBytes(usage.memoryBytes);
}

function details(instance: InstanceHealthView, now: number, panel: HealthPanel): HTMLElement {
  const command = (label: string, name: InstanceCommand, secondary = false) => {
    const button = html('button', secondary ? { class: 'secondary' } : {}, label);
    button.addEventListener('click', () => panel.post({ type: 'instanceCommand', command: name, instanceId: instance.id }));
    return button;
  };
  const stopped =
    instance.stopReason === 'inactivity' ? 'Stopped by Remote Swarm because nobody used it.' : instance.stopReason === 'budget' ? 'Stopped by Remote Swarm because its budget is used up.' : undefined;
  return html(
    'section',
    { class: 'details' },
    html('h2', {}, instance.name, ' ', healthBadge(instance)),
    html('p', { class: 'muted' }, instance.since === undefined ? `Status: ${instance.instanceStatus}` : `${instance.health} for ${formatDuration(now - instance.since)}`, stopped && ` · ${stopped}`),
    html('div', {}, restartable(instance) && command('Restart', 'restart'), command('Show Logs', 'showLogs', true)),
    html('h3', {}, 'Response time'),
    instance.latency.length === 0 ? html('p', { class: 'empty' }, 'No checks yet.') : latencyChart(instance.latency, { width: 640, height: 160, labels: true }),
    html('h3', {}, 'Last errors'),
    instance.recentErrors.length === 0
      ? html('p', { class: 'muted' }, 'None in the recent checks.')
      : html('ul', { class: 'plain errors' }, ...instance.recentErrors.map((error) => html('li', {}, html('span', { class: 'muted' }, formatTime(error.at)), ' ', error.message))),
    html('h3', {}, 'Automatic restarts'),
    instance.recoveryAttempts.length === 0
      ? html('p', { class: 'muted' }, 'None.')
      : html(
          'ul',
          { class: 'plain' },
          ...[...instance.recoveryAttempts]
            .reverse()
            .map((attempt) =>
              html('li', {}, html('span', { class: 'muted' }, formatTime(attempt.at)), ` attempt ${attempt.attempt}: ${attempt.result === 'restarted' ? 'restarted' : `restart failed: ${attempt.error ?? ''}`}`),
            ),
        ),
  );
}
