import type { BudgetView } from '../../src/core/cost/budgets';
import { svg } from '../shared/dom';
import { formatDollars } from '../shared/format';

export interface CostBar {
  label: string;
  monthToDate: number;
  projected: number;
}

const ROW_HEIGHT = 22;
const LABEL_WIDTH = 170;
const BAR_WIDTH = 340;
const VALUE_WIDTH = 170;

/** One bar per row: month to date solid, the rest of the projected month lighter behind it. */
export function costBarChart(bars: readonly CostBar[]): SVGSVGElement {
  const width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH;
  const height = Math.max(1, bars.length) * ROW_HEIGHT;
  const scale = Math.max(...bars.map((bar) => bar.projected), Number.EPSILON);
  const chart = svg('svg', { class: 'chart cost-bars', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': 'Cost per entry: month to date and projected' });
  bars.forEach((bar, index) => {
    const top = index * ROW_HEIGHT;
    chart.append(
      svg('text', { x: 0, y: top + 15 }, bar.label.length > 24 ? `${bar.label.slice(0, 23)}…` : bar.label),
      svg('rect', { class: 'projected', x: LABEL_WIDTH, y: top + 4, height: 14, width: (bar.projected / scale) * BAR_WIDTH }),
      svg('rect', { class: 'spent', x: LABEL_WIDTH, y: top + 4, height: 14, width: (bar.monthToDate / scale) * BAR_WIDTH }),
      svg('text', { x: width, y: top + 15, 'text-anchor': 'end' }, `${formatDollars(bar.monthToDate)} → ${formatDollars(bar.projected)}`),
    );
  });
  return chart;
}

/** How much of a budget is used: the spent part, a marker at the projection and a tick at the 80% warning. */
export function budgetBar(budget: BudgetView): SVGSVGElement {
  const width = 480;
  const used = budget.spent / budget.limit;
  const level = used >= 1 ? 'over' : used >= 0.8 ? 'warning' : 'ok';
  const at = (ratio: number) => Math.min(1, ratio) * width;
  return svg(
    'svg',
    { class: 'chart budget-bar', viewBox: `0 0 ${width} 16`, width, height: 16, role: 'img', 'aria-label': `${Math.round(used * 100)}% of the budget used` },
    svg('rect', { class: 'track', x: 0, y: 2, width, height: 12 }),
    svg('rect', { class: `used ${level}`, x: 0, y: 2, width: at(used), height: 12 }),
    svg('line', { class: 'threshold', x1: at(0.8), x2: at(0.8), y1: 0, y2: 16 }),
    svg('line', { class: 'projection', x1: at(budget.projected / budget.limit), x2: at(budget.projected / budget.limit), y1: 0, y2: 16 }),
  );
}
