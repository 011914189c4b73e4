import type { CostReport, CostTotal } from '../../src/core/cost/costReport';
import type { CostPanelSnapshot } from '../../src/vscode/panels/panelProtocol';
import { html, mount } from '../shared/dom';
import { formatDollars } from '../shared/format';
import { startPanel, type Panel } from '../shared/webviewApi';
import { budgetBar, costBarChart, type CostBar } from './costBars';

const GROUPINGS = { instance: 'Instance', group: 'Group', provider: 'Provider', template: 'Template' } as const;
type Grouping = keyof typeof GROUPINGS;

interface CostView {
  groupBy: Grouping;
}

type CostPanel = Panel<CostPanelSnapshot, CostView>;

startPanel<CostPanelSnapshot, CostView>({ groupBy: 'instance' }, render);

function render(panel: CostPanel): void {
  const { snapshot, view } = panel.state;
  if (!snapshot) {
    mount(html('h1', {}, 'Cost'), html('p', { class: 'empty' }, 'Reading the cost ledger…'));
    return;
  }
  const { report, budgets } = snapshot;
  mount(
    html('h1', {}, `Cost — ${monthName(report.month)}`),
    html(
      'p',
      { class: 'subtitle' },
      `Month to date ${formatDollars(report.monthToDate)} · projected ${formatDollars(report.projected)} for the month if every instance stays as it is now`,
    ),
    budgets.length > 0 &&
      html(
        'section',
        { class: 'budgets' },
        html('h2', {}, 'Budgets'),
        ...budgets.map((budget) =>
          html(
            'div',
            { class: 'budget' },
            html('div', {}, budget.template === undefined ? 'Monthly budget' : `Template "${budget.template}"`),
            budgetBar(budget),
            html(
              'div',
              { class: 'muted' },
              `${formatDollars(budget.spent)} of ${formatDollars(budget.limit)} (${Math.round((budget.spent / budget.limit) * 100)}%) · projected ${formatDollars(budget.projected)}`,
            ),
          ),
        ),
      ),
    html('h2', {}, 'This month by ', groupingPicker(view.groupBy, panel)),
    report.instances.length === 0 ? html('p', { class: 'empty' }, 'No instance has run this month.') : costBarChart(barsBy(view.groupBy, report)),
    report.instances.length > 0 && instanceTable(report),
  );
}

function groupingPicker(current: Grouping, panel: CostPanel): HTMLSelectElement {
  const picker = html(
    'select',
    { 'aria-label': 'Group costs by' },
    ...Object.entries(GROUPINGS).map(([value, label]) => html('option', value === current ? { value, selected: '' } : { value }, label.toLowerCase())),
  );
  picker.addEventListener('change', () => panel.updateView({ groupBy: picker.value as Grouping }));
  return picker;
}

function barsBy(grouping: Grouping, report: CostReport): CostBar[] {
  const totals = (list: readonly CostTotal[]) => list.map((total) => ({ label: total.key, monthToDate: total.monthToDate, projected: total.projected }));
  switch (grouping) {
    case 'instance':
      return report.instances.map((line) => ({ label: line.name, monthToDate: line.monthToDate, projected: line.projected }));
    case 'group':
      return totals(report.byGroup);
    case 'provider':
      return totals(report.byProvider);
    case 'template':
      return totals(report.byTemplate);
  }
}

function instanceTable(report: CostReport): HTMLTableElement {
  const number = (text: string) => html('td', { class: 'number' }, text);
  return html(
    'table',
    {},
    html(
      'thead',
      {},
      html(
        'tr',
        {},
        ...['Instance', 'Provider', 'Template', 'Group', 'Status'].map((title) => html('th', {}, title)),
        ...['$ / hour now', 'Running hours', 'Month to date', 'Projected'].map((title) => html('th', { class: 'number' }, title)),
      ),
    ),
    html(
      'tbody',
      {},
      ...report.instances.map((line) =>
        html(
          'tr',
          {},
          html('td', {}, line.name),
          html('td', {}, line.provider),
          html('td', {}, line.template ?? '—'),
          html('td', {}, line.group ?? '—'),
          html('td', {}, line.status ?? 'deleted'),
          number(formatDollars(line.hourlyRate)),
          number(line.runningHours.toFixed(1)),
          number(formatDollars(line.monthToDate)),
          number(formatDollars(line.projected)),
        ),
      ),
    ),
  );
}

function monthName(month: string): string {
  const [year, index] = month.split('-').map(Number);
  return new Date(Date.UTC(year!, index! - 1, 1)).toLocaleDateString(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });
}
