// Executions: newest first, filters (pipeline, environment, status, started by) kept in the URL,
// refreshed every few seconds while the page is shown.
import { get } from './api.js';
import { h, link, statusBadge, time, duration, table, message, errorText } from './dom.js';

const STATUSES = ['', 'QUEUED', 'RUNNING', 'WAITING_APPROVAL', 'PAUSED', 'SUCCEEDED', 'FAILED'];

/** The environment a stage deploys to: its stored target's environment, else null. */
export function stageEnvironments(execution, targetEnv) {
  const envs = new Set();
  for (const s of execution.stages || []) {
    const t = s.target && s.target.startsWith('target ') ? s.target.slice(7) : null;
    if (t && targetEnv.has(t)) envs.add(targetEnv.get(t));
  }
  return [...envs];
}

export async function render(main) {
  const params = new URLSearchParams(location.search);
  const fields = {};
  const input = (name, label, el) => {
    fields[name] = el;
    el.id = 'f-' + name; el.name = name; el.value = params.get(name) || '';
    return h('div', {}, h('label', { for: el.id }, label), el);
  };
  const filters = h('form', { class: 'filters', id: 'filters', role: 'search' },
    input('pipeline', 'Pipeline', h('input', { type: 'text', size: 14 })),
    input('environment', 'Environment', h('input', { type: 'text', size: 12 })),
    input('status', 'Status', h('select', {}, STATUSES.map(s => h('option', { value: s }, s || 'any')))),
    input('startedBy', 'Started by', h('input', { type: 'text', size: 12 })),
    h('button', { type: 'submit', class: 'btn' }, 'Filter'));
  const list = h('div', { id: 'executions', 'aria-live': 'polite' });
  const updated = h('p', { class: 'muted', id: 'updated' });
  main.append(h('h1', {}, 'Executions'), filters, updated, list);

  filters.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const usp = new URLSearchParams();
    for (const [k, el] of Object.entries(fields)) if (el.value) usp.set(k, el.value);
    history.replaceState(null, '', '/executions' + (usp.toString() ? '?' + usp : ''));
    refresh();
  });

  let targetEnv = new Map();
  try {
    for (const t of await get('/api/v1/targets')) targetEnv.set(t.name, t.spec && t.spec.environment);
  } catch (e) { /* filters by environment then match nothing */ }

  let timer = null;
  let stopped = false;
  async function refresh() {
    clearTimeout(timer);
    try {
      const all = await get('/api/v1/executions?limit=200');
      const f = Object.fromEntries(Object.entries(fields).map(([k, el]) => [k, el.value.trim().toLowerCase()]));
      const rows = all.filter(ex =>
        (!f.pipeline || (ex.pipelineName || '').toLowerCase().includes(f.pipeline)) &&
        (!f.status || ex.status.toLowerCase() === f.status) &&
        (!f.startedBy || ((ex.origin && ex.origin.startedBy) || '').toLowerCase().includes(f.startedBy)) &&
        (!f.environment || stageEnvironments(ex, targetEnv).some(e => (e || '').toLowerCase() === f.environment)))
        .map(ex => h('tr', { dataset: { id: ex.id } },
          h('td', {}, link('/executions/' + ex.id, ex.id)),
          h('td', {}, ex.pipelineName),
          h('td', { class: 'status' }, statusBadge(ex.status)),
          h('td', {}, stageEnvironments(ex, targetEnv).join(', ')),
          h('td', {}, (ex.origin && ex.origin.startedBy) || ''),
          h('td', {}, time(ex.createdAt)),
          h('td', {}, duration(ex.startedAt, ex.finishedAt))));
      list.replaceChildren(rows.length
        ? table(['Execution', 'Pipeline', 'Status', 'Environments', 'Started by', 'Created', 'Duration'], rows)
        : message('info', 'No execution matches.'));
      updated.textContent = 'Updated ' + new Date().toLocaleTimeString();
    } catch (e) {
      list.replaceChildren(message('error', errorText(e)));
    }
    // Poll with jitter; stopped when the page is left.
    if (!stopped) timer = setTimeout(refresh, 2500 + Math.random() * 1000);
  }
  await refresh();
  return () => { stopped = true; clearTimeout(timer); };
}
