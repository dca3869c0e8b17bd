/** The chat pane: messages from the COO with their buttons, a command box, live updates over SSE. */
export function chatPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>solo-coo · chat</title>
<style>
 *{box-sizing:border-box} body{font-family:system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330;height:100vh;display:flex;flex-direction:column}
 header{background:#1d2330;color:#fff;padding:.8rem 1.5rem;display:flex;gap:1.5rem;align-items:center} header a{color:#9cc3ff;text-decoration:none}
 #log{flex:1;overflow-y:auto;padding:1rem 1.5rem;display:flex;flex-direction:column;gap:.6rem}
 .msg{max-width:46rem;padding:.6rem .9rem;border-radius:12px;white-space:pre-wrap;line-height:1.4;box-shadow:0 1px 2px #0001}
 .out{background:#fff;align-self:flex-start} .in{background:#dbe9ff;align-self:flex-end}
 .approval{border-left:4px solid #f0a020} .error{border-left:4px solid #b3261e} .digest{border-left:4px solid #2e7d32}
 .meta{font-size:.75rem;color:#778;margin-top:.3rem} .resolution{margin-top:.5rem;font-weight:600;color:#2e5a2e}
 .buttons{display:flex;gap:.5rem;margin-top:.6rem;flex-wrap:wrap}
 button{font:inherit;border:0;border-radius:8px;padding:.4rem .9rem;cursor:pointer;background:#e4e7ee}
 button.primary{background:#1f6feb;color:#fff} button.danger{background:#b3261e;color:#fff} button:disabled{opacity:.5;cursor:default}
 form{display:flex;gap:.5rem;padding:.8rem 1.5rem;background:#fff;border-top:1px solid #e3e5ea}
 #text{flex:1;font:inherit;padding:.6rem .8rem;border:1px solid #ccd;border-radius:8px}
 #toast{position:fixed;bottom:5rem;left:50%;transform:translateX(-50%);background:#1d2330;color:#fff;padding:.5rem 1rem;border-radius:8px;display:none}
 #conn{font-size:.8rem;color:#9aa}
</style></head>
<body>
<header><strong>solo-coo</strong><a href="/">Chat</a><a href="/status">Status</a><span id="conn">connecting…</span><button id="pair" type="button" style="margin-left:auto">Pair Telegram/Slack</button></header>
<div id="log" aria-live="polite"></div>
<form id="send"><input id="text" autocomplete="off" placeholder="Type a command, e.g. /help or /run approval-roundtrip" aria-label="Message">
<label style="display:flex;align-items:center"><input type="file" id="file" style="width:12rem"></label><button class="primary" type="submit">Send</button></form>
<div id="toast" role="status"></div>
<script>
const log = document.getElementById('log');
const seen = new Map();
let lastId = null;
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
const rid = () => (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2));
function toast(t) { const el = document.getElementById('toast'); el.textContent = t; el.style.display = 'block'; clearTimeout(el._t); el._t = setTimeout(() => el.style.display = 'none', 4000); }
function render(m) {
  let el = seen.get(m.id);
  const fresh = !el;
  if (fresh) { el = document.createElement('div'); seen.set(m.id, el); }
  el.className = 'msg ' + m.direction + ' ' + (m.body.kind || '');
  el.dataset.id = m.id; if (m.approvalId) el.dataset.approval = m.approvalId;
  const files = (m.body.files || []).map((f, i) => f.path ? '<a href="/api/messages/' + esc(String(m.id)) + '/files/' + i + '" download>📎 ' + esc(f.name) + '</a>' : '📎 ' + esc(f.name)).join('\\n');
  let html = '<div class="text">' + esc(m.body.text) + (files ? '\\n' + files : '') + '</div>';
  if (m.body.resolution) html += '<div class="resolution">' + esc(m.body.resolution) + '</div>';
  const rows = m.body.buttons || [];
  if (rows.length) html += rows.map((row) => '<div class="buttons">' + row.map((b) => '<button class="' + esc(b.style) + '" data-action="' + esc(JSON.stringify(b.action)) + '">' + esc(b.label) + '</button>').join('') + '</div>').join('');
  html += '<div class="meta">' + (m.direction === 'in' ? 'you' : 'COO') + ' · ' + new Date(m.createdAt).toLocaleTimeString() + '</div>';
  el.innerHTML = html;
  if (fresh) {
    const after = [...log.children].find((c) => Number(c.dataset.id) > Number(m.id));
    log.insertBefore(el, after || null);
    log.scrollTop = log.scrollHeight;
  }
  if (!lastId || Number(m.id) > Number(lastId)) lastId = m.id;
}
log.addEventListener('click', async (ev) => {
  const b = ev.target.closest('button[data-action]'); if (!b) return;
  const action = JSON.parse(b.dataset.action);
  b.closest('.msg').querySelectorAll('button').forEach((x) => x.disabled = true);
  if (action.type === 'decide') {
    const r = await fetch('/api/actions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ approvalId: action.approvalId, option: action.option, requestId: rid() }) });
    const j = await r.json(); toast(j.reply ? j.reply.text : (j.error && j.error.message) || 'Done');
    if (!j.ok) b.closest('.msg').querySelectorAll('button').forEach((x) => x.disabled = false);
  } else if (action.type === 'command') { await send(action.text); }
});
async function send(text) {
  const r = await fetch('/api/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text, requestId: rid() }) });
  const j = await r.json();
  if (!r.ok) { toast(j.error ? j.error.message : 'Could not send'); return; }
  if (j.inbound) render(j.inbound); if (j.reply) render(j.reply);
}
document.getElementById('send').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const input = document.getElementById('text'); const fileInput = document.getElementById('file');
  const text = input.value.trim(); const file = fileInput.files[0];
  if (!text && !file) return;
  input.value = '';
  if (file) {
    const fd = new FormData(); fd.append('file', file); fd.append('text', text); fd.append('requestId', rid());
    toast('Uploading ' + file.name + '…');
    const r = await fetch('/api/files', { method: 'POST', body: fd }); const j = await r.json(); fileInput.value = '';
    if (!r.ok) { toast(j.error ? j.error.message : 'Upload failed'); return; }
    if (j.inbound) render(j.inbound); if (j.reply) render(j.reply);
  } else await send(text);
});
document.getElementById('pair').addEventListener('click', async () => {
  const r = await fetch('/api/pairing-codes', { method: 'POST' }); const j = await r.json();
  if (!r.ok) { toast(j.error ? j.error.message : 'Pairing is unavailable'); return; }
  const el = document.getElementById('toast'); el.textContent = 'Pairing code ' + j.code + ' — send ' + j.telegram + ' to your Telegram bot or ' + j.slack + ' in Slack (valid until ' + new Date(j.expiresAt).toLocaleTimeString() + ').'; el.style.display = 'block'; clearTimeout(el._t); el._t = setTimeout(() => el.style.display = 'none', 60000);
});
async function catchUp() {
  const r = await fetch('/api/messages' + (lastId ? '?after=' + lastId : '?limit=200'));
  if (r.ok) (await r.json()).forEach(render);
}
function connect() {
  const es = new EventSource('/api/stream');
  es.addEventListener('ready', () => { document.getElementById('conn').textContent = 'live'; catchUp(); });
  es.addEventListener('created', (e) => render(JSON.parse(e.data)));
  es.addEventListener('updated', (e) => render(JSON.parse(e.data)));
  es.addEventListener('logout', () => { es.close(); location.reload(); });
  es.onerror = () => { document.getElementById('conn').textContent = 'reconnecting…'; };
}
catchUp().then(connect);
</script></body></html>`;
}
