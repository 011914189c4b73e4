import type { LatencyPoint } from '../../src/core/health/healthSnapshot';
import { svg } from '../shared/dom';
import { formatLatency, formatTime } from '../shared/format';

export interface ChartLayout {
  width: number;
  height: number;
  /** Axis labels for the large chart; none for a sparkline. */
  labels: boolean;
}

/** Response times as a line over time; a check that got no answer is a red tick on the baseline and breaks the line. */
export function latencyChart(points: readonly LatencyPoint[], { width, height, labels }: ChartLayout): SVGSVGElement {
  const answered = points.flatMap((point) => (point.ms === null ? [] : [point.ms]));
  const missed = points.length - answered.length;
  const chart = svg('svg', {
    class: labels ? 'chart latency' : 'chart sparkline',
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: 'img',
    'aria-label': `Response times of the last ${points.length} checks${missed > 0 ? `, ${missed} without an answer` : ''}`,
  });
  if (points.length === 0) return chart;
  const pad = labels ? { left: 52, right: 8, top: 8, bottom: 18 } : { left: 1, right: 1, top: 2, bottom: 2 };
  const first = points[0]!.at;
  const span = Math.max(1, points[points.length - 1]!.at - first);
  const maxMs = Math.max(1, ...answered);
  const x = (at: number) => pad.left + ((at - first) / span) * (width - pad.left - pad.right);
  const y = (ms: number) => height - pad.bottom - (ms / maxMs) * (height - pad.top - pad.bottom);
  const baseline = height - pad.bottom;

  if (labels) {
    chart.append(
      svg('line', { class: 'axis', x1: pad.left, x2: width - pad.right, y1: baseline, y2: baseline }),
      svg('text', { x: pad.left - 4, y: pad.top + 8, 'text-anchor': 'end' }, formatLatency(maxMs)),
      svg('text', { x: pad.left - 4, y: baseline, 'text-anchor': 'end' }, '0'),
      svg('text', { x: pad.left, y: height - 4 }, formatTime(first)),
      svg('text', { x: width - pad.right, y: height - 4, 'text-anchor': 'end' }, formatTime(points[points.length - 1]!.at)),
    );
  }
  for (const run of answeredRuns(points)) {
    if (run.length === 1) chart.append(svg('circle', { class: 'latency-dot', cx: x(run[0]!.at), cy: y(run[0]!.ms), r: labels ? 2.5 : 1.5 }));
    else chart.append(svg('polyline', { class: 'latency-line', points: run.map((point) => `${x(point.at).toFixed(1)},${y(point.ms).toFixed(1)}`).join(' ') }));
  }
  for (const point of points) {
    if (point.ms === null) chart.append(svg('line', { class: 'latency-miss', x1: x(point.at), x2: x(point.at), y1: baseline, y2: baseline - (labels ? 10 : 5) }));
  }
  return chart;
}

/** Consecutive answered checks: each becomes one stretch of line. */
function answeredRuns(points: readonly LatencyPoint[]): { at: number; ms: number }[][] {
  const runs: { at: number; ms: number }[][] = [];
  let current: { at: number; ms: number }[] = [];
  for (const { at, ms } of points) {
    if (ms === null) {
      if (current.length > 0) runs.push(current);
      current = [];
    } else {
      current.push({ at, ms });
    }
  }
  if (current.length > 0) runs.push(current);
  return runs;
}
