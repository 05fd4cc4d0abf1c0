// Admin: API tokens and service accounts, delegate tokens, secret names (never values), webhooks
// when the control plane has them, and the audit log with filters and the chain's verification.
import { get, may, q } from './api.js';
import { h, statusBadge, time, table, message, errorText } from './dom.js';

async function section(id, title, load) {
  const body = h('div', {});
  const s = h('section', { id, 'aria-labelledby': id + '-h' }, h('h2', { id: id + '-h' }, title), body);
  try { body.append(...[].concat(await load())); } catch (e) { body.append(message(e.status === 404 ? 'info' : 'error', errorText(e))); }
  return s;
}

export async function render(main) {
  main.append(h('h1', {}, 'Admin'));
  if (!may('access') && !may('audit') && !may('secrets')) {
    main.append(message('info', 'Administration needs the admin role.'));
    return;
  }
  if (may('access')) {
    main.append(await section('api-tokens', 'API tokens and service accounts', async () => {
      const ts = await get('/api/v1/access/tokens');
      return table(['Name', 'Kind', 'Roles', 'Environments', 'Verbs', 'Created', 'Last used', 'Expires', 'Status'], ts.map(t => h('tr', {},
        h('td', {}, t.name), h('td', {}, t.kind), h('td', {}, (t.roles || []).join(', ')), h('td', {}, (t.environments || []).join(', ') || 'all'),
        h('td', {}, (t.verbs || []).join(', ') || 'all of its roles'), h('td', {}, time(t.createdAt)), h('td', {}, time(t.lastUsedAt)),
        h('td', {}, time(t.expiresAt) || 'never'), h('td', {}, statusBadge(t.revokedAt ? 'REVOKED' : 'ACTIVE')))));
    }));
    main.append(await section('delegate-tokens', 'Delegate tokens', async () => {
      const ts = await get('/api/v1/tokens');
      return table(['Name', 'Id', 'Created', 'Status'], ts.map(t => h('tr', {}, h('td', {}, t.name), h('td', { class: 'mono' }, t.id),
        h('td', {}, time(t.createdAt)), h('td', {}, statusBadge(t.revoked ? 'REVOKED' : 'ACTIVE')))));
    }));
    main.append(await section('webhooks', 'Webhooks', async () => {
      let ws;
      try { ws = await get('/api/v1/webhooks'); } catch (e) {
        if (e.status === 404) return message('info', 'This control plane has no webhooks API.');
        throw e;
      }
      return ws.length ? table(['Name', 'Details'], ws.map(w => h('tr', {}, h('td', {}, w.name || w.id || ''),
        h('td', { class: 'mono' }, Object.entries(w).filter(([k, v]) => typeof v !== 'object' && !/secret|token|value/i.test(k)).map(([k, v]) => k + '=' + v).join(' ')))))
        : message('info', 'No webhook.');
    }));
  }
  if (may('secrets')) {
    main.append(await section('secrets', 'Secrets (names only; values never leave the control plane)', async () => {
      const ss = await get('/api/v1/secrets');
      return ss.length ? table(['Name', 'Created', 'Updated'], ss.map(s => h('tr', {}, h('td', { class: 'mono' }, s.name),
        h('td', {}, time(s.createdAt)), h('td', {}, time(s.updatedAt))))) : message('info', 'No secret.');
    }));
  }
  if (may('audit')) main.append(await auditSection());
}

async function auditSection() {
  const params = new URLSearchParams(location.search);
  const fields = ['actor', 'action', 'target', 'since'].map(n => [n, h('input', { type: 'text', id: 'audit-' + n, value: params.get(n) || '', size: 14 })]);
  const verify = h('div', { id: 'audit-verify' });
  const rows = h('div', { id: 'audit-rows' });
  const form = h('form', { class: 'filters', id: 'audit-form' }, fields.map(([n, el]) => h('div', {}, h('label', { for: el.id }, n), el)),
    h('button', { type: 'submit', class: 'btn' }, 'Filter'));
  async function load() {
    const filter = Object.fromEntries(fields.map(([n, el]) => [n, el.value.trim()]));
    history.replaceState(null, '', '/admin' + q(filter));
    try {
      const v = await get('/api/v1/audit/verify');
      verify.replaceChildren(v.ok ? message('ok', 'Audit chain verified: ' + v.entries + ' entries, none edited or missing.')
        : message('error', 'Audit chain broken at entry ' + v.firstBad.seq + ': ' + v.firstBad.reason + ' (' + v.entries + ' entries)'));
    } catch (e) { verify.replaceChildren(message('error', errorText(e))); }
    try {
      const es = await get('/api/v1/audit' + q(Object.assign({ limit: 200 }, filter)));
      rows.replaceChildren(table(['#', 'At', 'Actor', 'Action', 'Target', 'Outcome', 'Details'], es.map(e => h('tr', {},
        h('td', {}, String(e.seq)), h('td', {}, time(e.at)), h('td', {}, e.actor), h('td', {}, e.action), h('td', { class: 'mono' }, e.target || ''),
        h('td', {}, e.outcome), h('td', { class: 'mono' }, Object.entries(e.details || {}).map(([k, v]) => k + '=' + v).join(' '))))));
    } catch (e) { rows.replaceChildren(message('error', errorText(e))); }
  }
  form.addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
  await load();
  return h('section', { id: 'audit', 'aria-labelledby': 'audit-h' }, h('h2', { id: 'audit-h' }, 'Audit log'), verify, form, rows);
}
