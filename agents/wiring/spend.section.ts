import type { StatusSectionInput } from '../../coordinator/index.ts';
import type { SpendSummary } from '../budget/spend-summary.ts';

const usd = (x: number) => `$${x.toFixed(x !== 0 && Math.abs(x) < 1 ? 4 : 2)}`;

/**
 * The status page's "Model spend" block: today and this month against the global caps, every
 * per-process cap, and the spend by agent type and by process.
 */
export function spendSection(s: SpendSummary): StatusSectionInput {
  const cap = (scope: string, period: 'day' | 'month') => s.caps.find((c) => c.scope === scope && c.period === period);
  const vsCap = (period: 'day' | 'month') => {
    const c = cap('global', period);
    return c?.capUsd != null ? [usd(c.capUsd), usd(Math.max(0, c.capUsd - c.spentUsd - c.reservedUsd))] : ['no cap', '—'];
  };
  const processCaps = s.caps.filter((c) => c.scope !== 'global');
  return {
    id: 'model-spend',
    title: 'Model spend',
    lines: s.total.monthCalls === 0 ? ['No model calls this month.'] : [],
    tables: [
      {
        caption: 'Today and this month against the global caps',
        columns: ['period', 'spent', 'calls', 'cap', 'left'],
        rows: [
          [`today (${s.day})`, usd(s.total.todayUsd), s.total.todayCalls, ...vsCap('day')],
          [`this month (${s.month})`, usd(s.total.monthUsd), s.total.monthCalls, ...vsCap('month')],
        ],
      },
      ...(processCaps.length
        ? [{
            caption: 'Caps per process (spent as counted against the cap, plus calls in flight)',
            columns: ['process', 'period', 'spent', 'in flight', 'cap'],
            rows: processCaps.map((c) => [c.scope.replace(/^process:/, ''), `${c.period} (${c.periodKey})`, usd(c.spentUsd), usd(c.reservedUsd), usd(c.capUsd ?? 0)]),
          }]
        : []),
      { caption: 'By agent type', columns: ['agent', 'today', 'this month', 'calls this month'], rows: s.byAgent.map((a) => [a.agent, usd(a.todayUsd), usd(a.monthUsd), a.monthCalls]) },
      { caption: 'By process', columns: ['process', 'today', 'this month', 'calls this month'], rows: s.byProcess.map((p) => [p.process, usd(p.todayUsd), usd(p.monthUsd), p.monthCalls]) },
    ],
  };
}
