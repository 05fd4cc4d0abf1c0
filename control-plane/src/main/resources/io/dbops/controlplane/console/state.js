// Migration state (the state API): per environment the targets × changesets grid, the diff of two
// environments, and one target's history. The control plane never connects to a target itself;
// "Refresh" starts a read-only execution through a delegate.
import { get, post, may, q } from './api.js';
import { h, add, link, statusBadge, time, table, message, errorText } from './dom.js';

// A 404 from a control plane without the state API says so in its message ("No such endpoint").
function unavailable(e) {
  return message('error', errorText(e));
}

export async function render(main) {
  const params = new URLSearchParams(location.search);
  let envs = [];
  try { envs = (await get('/api/v1/environments')).map(e => e.name); } catch (e) { main.append(message('error', errorText(e))); return; }
  const pick = (id, value) => h('select', { id }, envs.map(n => h('option', { value: n, selected: n === value }, n)));
  const env = pick('env', params.get('environment') || envs[0]);
  const grid = h('div', { id: 'grid' });
  const from = pick('diff-from', params.get('from') || envs[0]);
  const to = pick('diff-to', params.get('to') || envs[envs.length - 1]);
  const diff = h('div', { id: 'diff' });
  const refreshBtn = may('run') ? h('button', { type: 'button', class: 'btn', id: 'refresh-env' }, 'Refresh from the databases') : null;
  add(main, h('h1', {}, 'State'),
    envs.length ? null : message('info', 'No environment is defined (dbops apply).'),
    h('div', { class: 'filters' }, h('div', {}, h('label', { for: 'env' }, 'Environment'), env), refreshBtn),
    grid,
    h('h2', {}, 'Diff of two environments'),
    h('form', { class: 'filters', id: 'diff-form' }, h('div', {}, h('label', { for: 'diff-from' }, 'From'), from),
      h('div', {}, h('label', { for: 'diff-to' }, 'To'), to), h('button', { type: 'submit', class: 'btn' }, 'Compare')),
    diff);
  if (!envs.length) return;

  async function drawGrid() {
    history.replaceState(null, '', '/state' + q({ environment: env.value }));
    try {
      const s = await get('/api/v1/environments/' + encodeURIComponent(env.value) + '/state');
      const targets = s.targets || [];
      const rows = (s.changesets || []).map(c => h('tr', {},
        h('th', { scope: 'row', class: 'mono' }, c.file + '::' + c.id + '::' + c.author),
        targets.map(t => {
          const v = ((s.cells || {})[t.target] || {})[c.key] || 'none';
          return h('td', { class: 'cell cell-' + v, dataset: { target: t.target, key: c.key } }, v === 'none' ? '–' : v);
        })));
      grid.replaceChildren(
        table(['Changeset', ...targets.map(t => t.target)], rows, 'Changesets of ' + s.environment + ' (applied, pending, failed; – = not applied)'),
        h('h3', {}, 'Targets'),
        table(['Target', 'Refreshed', 'Drift'], targets.map(t => h('tr', {},
          h('td', {}, link('/state/targets/' + encodeURIComponent(t.target), t.target)), h('td', {}, time(t.refreshedAt) || 'never'),
          h('td', {}, statusBadge((t.drift && t.drift.status) || (typeof t.drift === 'string' ? t.drift : 'unknown')))))));
    } catch (e) { grid.replaceChildren(unavailable(e)); }
  }

  env.addEventListener('change', drawGrid);
  if (refreshBtn) refreshBtn.addEventListener('click', async () => {
    try { const r = await post('/api/v1/environments/' + encodeURIComponent(env.value) + '/refresh');
      grid.prepend(message('ok', 'Refresh started: '), link('/executions/' + r.executionId, r.executionId)); }
    catch (e) { grid.prepend(message('error', errorText(e))); }
  });
  main.querySelector('#diff-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const d = await get('/api/v1/diff' + q({ from: from.value, to: to.value }));
      const list = (xs) => (xs || []).map(c => c.file + '::' + c.id + '::' + c.author).join('\n') || '–';
      diff.replaceChildren(table(['Target', 'Environment', 'Missing', 'Extra'], (d.targets || []).map(t => h('tr', {},
        h('td', {}, t.target), h('td', {}, t.environment), h('td', { class: 'mono pre' }, list(t.missing)), h('td', { class: 'mono pre' }, list(t.extra)))),
        'Missing: applied on some target of the other environment, not on this one. Extra: applied here, on no target of the other environment.'));
    } catch (e) { diff.replaceChildren(unavailable(e)); }
  });
  await drawGrid();
}

export async function renderTarget(main, [name]) {
  main.append(h('h1', {}, 'Target ', h('span', { class: 'mono' }, name)));
  try {
    const s = await get('/api/v1/targets/' + encodeURIComponent(name) + '/state');
    const d = s.drift || {};
    const last = s.lastDeployment;
    main.append(
      h('dl', { class: 'facts' },
        h('dt', {}, 'Environment'), h('dd', {}, s.environment || ''),
        h('dt', {}, 'Refreshed'), h('dd', {}, time(s.refreshedAt) || 'never'),
        h('dt', {}, 'Last deployment'), h('dd', {}, last ? [link('/executions/' + last.executionId, last.executionId), ' ', last.pipeline || '', ' ', statusBadge(last.status), ' ', time(last.finishedAt)] : 'none'),
        h('dt', {}, 'Tags'), h('dd', { class: 'mono' }, (s.tags || []).join(', ') || '–'),
        h('dt', {}, 'Drift'), h('dd', {}, statusBadge(d.status || 'unknown'), ' ', (d.differences || []).join('; '))),
      h('h2', {}, 'Pending'),
      (s.pending || []).length ? table(['Pipeline', 'As of', 'Changesets'], s.pending.map(p => h('tr', {}, h('td', {}, p.pipeline),
        h('td', {}, time(p.asOf)), h('td', { class: 'mono' }, (p.changesets || []).map(c => c.file + '::' + c.id + '::' + c.author).join(', ')))))
        : message('info', 'Nothing known to be pending.'),
      h('h2', {}, 'History'),
      table(['#', 'Changeset', 'Author', 'File', 'Executed', 'Type', 'Tag', 'Execution', 'Approved by'], (s.changesets || []).map(c => h('tr', {},
        h('td', {}, String(c.orderExecuted)), h('td', { class: 'mono' }, c.id), h('td', {}, c.author), h('td', { class: 'mono' }, c.file),
        h('td', {}, time(c.dateExecuted)), h('td', {}, c.execType || ''), h('td', {}, c.tag || ''),
        h('td', {}, c.executionId ? link('/executions/' + c.executionId, c.executionId) : 'outside dbops'),
        h('td', {}, (c.approvedBy || []).join(', '))))));
  } catch (e) { main.append(unavailable(e)); }
}
