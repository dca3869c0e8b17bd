/** The status page: a static shell that polls /api/status, so it works without a build step. */
export function statusPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>solo-coo · status</title>
<style>
 body{font-family:system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
 header{background:#1d2330;color:#fff;padding:.8rem 1.5rem;display:flex;gap:1.5rem;align-items:center}
 header a{color:#9cc3ff;text-decoration:none} main{padding:1.5rem;display:grid;gap:1.2rem;grid-template-columns:repeat(auto-fit,minmax(min(100%,400px),1fr))}
 section{background:#fff;border-radius:10px;padding:1rem 1.2rem;box-shadow:0 1px 3px #0001;min-width:0;overflow-x:auto}
 h2{font-size:1rem;margin:.2rem 0 .8rem} table{width:100%;border-collapse:collapse;font-size:.9rem;margin-bottom:.8rem} caption{text-align:left;padding:.2rem 0} td,th{padding:.3rem .35rem;border-bottom:1px solid #eee;text-align:left} #queues td+td,#queues th+th{text-align:right}
 .n{font-size:1.6rem;font-weight:600} .grid{display:flex;gap:1rem;flex-wrap:wrap} .grid div{min-width:80px} .muted{color:#778}
 .bad{color:#b3261e} code{font-size:.85rem}
</style></head>
<body><header><strong>solo-coo</strong><a href="/">Chat</a><a href="/status">Status</a><span class="muted" id="at"></span></header>
<main>
 <section><h2>Runs by status</h2><div class="grid" id="runs"></div></section>
 <section><h2>Queues per agent type</h2><table id="queues"><thead><tr><th>agent</th><th>workers</th><th>waiting</th><th>active</th><th>delayed</th><th>failed</th></tr></thead><tbody></tbody></table></section>
 <section><h2>Pending approvals</h2><table id="approvals"><thead><tr><th>approval</th><th>process</th><th>age</th><th>question</th></tr></thead><tbody></tbody></table></section>
 <section><h2>Failed runs</h2><table id="failed-runs"><thead><tr><th>run</th><th>process</th><th>step</th><th>error</th></tr></thead><tbody></tbody></table><p class="muted" id="failed-shown"></p></section>
 <section><h2>Open incidents</h2><table id="incidents"><thead><tr><th>incident</th><th>run</th><th>step</th><th>error</th></tr></thead><tbody></tbody></table><p class="muted" id="failed24"></p></section>
 <section><h2>Schedules</h2><table id="schedules"><thead><tr><th>schedule</th><th>cron</th><th>next</th><th>last fired</th></tr></thead><tbody></tbody></table></section>
 <div id="sections" style="display:contents"></div>
</main>
<script>
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
const age = (s) => s < 90 ? s + 's' : s < 5400 ? Math.round(s/60) + 'm' : s < 172800 ? Math.round(s/3600) + 'h' : Math.round(s/86400) + 'd';
const rows = (id, list, f) => { document.querySelector('#' + id + ' tbody').innerHTML = list.length ? list.map(f).join('') : '<tr><td colspan="5" class="muted">none</td></tr>'; };
async function refresh() {
  const r = await fetch('/api/status'); if (!r.ok) return;
  const s = await r.json();
  document.getElementById('at').textContent = 'updated ' + new Date(s.at).toLocaleTimeString();
  document.getElementById('runs').innerHTML = Object.entries(s.runs).map(([k, v]) => '<div data-status="' + k + '"><div class="n">' + v + '</div><div class="muted">' + k + '</div></div>').join('');
  rows('queues', Object.entries(s.queues), ([a, q]) => '<tr><td>' + esc(a) + '</td><td>' + esc((s.concurrency || {})[a] ?? '') + '</td><td>' + q.waiting + '</td><td>' + q.active + '</td><td>' + q.delayed + '</td><td>' + q.failed + '</td></tr>');
  rows('approvals', s.pendingApprovals, (a) => '<tr><td><code>' + esc(a.id) + '</code></td><td>' + esc(a.process) + '</td><td>' + age(a.ageSeconds) + '</td><td>' + esc(a.question.split('\\n')[0]) + (a.runsWaiting > 1 ? ' <span class="muted">(' + a.runsWaiting + ' runs wait on this)</span>' : '') + '</td></tr>');
  // Every failed run that "failed" counts is listed (up to 50, then says how many are shown).
  rows('failed-runs', s.failedRuns, (r) => '<tr><td><code>' + esc(r.id) + '</code></td><td>' + esc(r.process) + '</td><td>' + esc(r.step ?? '—') + '</td><td class="bad">' + esc(r.error ?? 'failed') + (r.retryable ? '' : ' <span class="muted">(ended with an answer; nothing to retry)</span>') + '</td></tr>');
  document.getElementById('failed-shown').textContent = s.failedRuns.length < s.runs.failed ? 'showing the ' + s.failedRuns.length + ' latest of ' + s.runs.failed + ' failed runs' : '';
  rows('incidents', s.openIncidents, (i) => '<tr><td><code>' + esc(i.id) + '</code></td><td><code>' + esc(i.runId) + '</code></td><td>' + esc(i.step) + '</td><td class="bad">' + esc(i.code + ': ' + i.message) + '</td></tr>');
  document.getElementById('failed24').textContent = s.failedSteps24h + ' failed step attempts and ' + s.completedSteps24h + ' completed steps in the last 24h';
  rows('schedules', s.schedules, (x) => '<tr><td>' + esc(x.id) + '</td><td><code>' + esc(x.cron) + '</code> ' + esc(x.timezone) + '</td><td>' + esc((x.nextAt || '').replace('T', ' ').slice(0, 16)) + '</td><td>' + esc((x.lastFiredAt || '—').replace('T', ' ').slice(0, 16)) + '</td></tr>');
  // Sections other layers add (the AI layer's model spend): lines, then tables.
  document.getElementById('sections').innerHTML = (s.sections || []).map((x) => '<section data-section="' + esc(x.id) + '"><h2>' + esc(x.title) + '</h2>'
    + x.lines.map((l) => '<p>' + esc(l) + '</p>').join('')
    + x.tables.map((t) => '<table>' + (t.caption ? '<caption class="muted">' + esc(t.caption) + '</caption>' : '') + '<thead><tr>' + t.columns.map((c) => '<th>' + esc(c) + '</th>').join('') + '</tr></thead><tbody>'
      + (t.rows.length ? t.rows.map((r) => '<tr>' + r.map((v) => '<td>' + esc(v) + '</td>').join('') + '</tr>').join('') : '<tr><td colspan="' + t.columns.length + '" class="muted">none</td></tr>') + '</tbody></table>').join('')
    + '</section>').join('');
}
refresh(); setInterval(refresh, 3000);
</script></body></html>`;
}
