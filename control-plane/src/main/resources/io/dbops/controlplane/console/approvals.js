// Approvals inbox: what waits (all, or only what I may approve), the update and rollback SQL side
// by side, the policies, target, environment, SQL hash and who decided already; approve or reject
// with a comment. No decision buttons for an identity without the approve verb.
import { get, post, may, q } from './api.js';
import { h, link, statusBadge, time, table, message, errorText } from './dom.js';
import { highlight } from './sql.js';

export async function render(main) {
  const mine = h('input', { type: 'checkbox', id: 'only-mine', checked: new URLSearchParams(location.search).get('mine') === 'true' });
  const list = h('div', { id: 'approvals' });
  main.append(h('h1', {}, 'Approvals'),
    h('div', { class: 'filters' }, h('label', { for: 'only-mine' }, mine, ' Only what I may approve')), list);
  mine.addEventListener('change', () => {
    history.replaceState(null, '', '/approvals' + (mine.checked ? '?mine=true' : ''));
    refresh();
  });

  async function refresh() {
    try {
      const waiting = await get('/api/v1/approvals' + q({ mine: mine.checked ? 'true' : undefined }));
      if (!waiting.length) { list.replaceChildren(message('info', 'Nothing waits for an approval.')); return; }
      list.replaceChildren(...await Promise.all(waiting.map(card)));
      if (location.hash) { const el = document.getElementById(location.hash.slice(1)); if (el) el.scrollIntoView(); }
    } catch (e) {
      list.replaceChildren(message('error', errorText(e)));
    }
  }

  async function card(a) {
    let target = '';
    try {
      const ex = await get('/api/v1/executions/' + encodeURIComponent(a.executionId));
      const stage = (ex.stages || []).find(s => s.name === a.stage);
      target = (stage && stage.target) || '';
    } catch (e) { /* the card still shows the rest */ }
    const r = a.rule || {};
    const result = h('div', { 'aria-live': 'polite', class: 'decision-result' });
    return h('article', { class: 'card approval', id: 'approval-' + a.executionId, dataset: { execution: a.executionId } },
      h('h2', {}, link('/executions/' + a.executionId, a.executionId), ' · ', a.pipelineName, ' · stage ', a.stage, ' ', statusBadge(a.status)),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Environment'), h('dd', {}, a.environment || '–'),
        h('dt', {}, 'Target'), h('dd', { class: 'mono' }, target || '–'),
        h('dt', {}, 'Started by'), h('dd', {}, a.startedBy || ''),
        h('dt', {}, 'Requested'), h('dd', {}, time(a.requestedAt), a.deadline ? [' · deadline ', time(a.deadline)] : null),
        h('dt', {}, 'Rule'), h('dd', {}, (r.required || 1) + ' approval(s)' + (r.roles && r.roles.length ? ', roles ' + r.roles.join(', ') : '') +
          (r.groups && r.groups.length ? ', groups ' + r.groups.join(', ') : '') + (r.starterMayApprove ? '' : ', not the starter')),
        h('dt', {}, 'SQL hash'), h('dd', { class: 'mono sql-hash' }, a.sqlHash || '–')),
      h('div', { class: 'sql-pair' },
        h('div', {}, h('h3', {}, 'Update SQL'), highlight(a.updateSql || '-- no SQL', { class: 'sql update-sql', 'aria-label': 'update SQL' })),
        h('div', {}, h('h3', {}, 'Rollback SQL'), highlight(a.rollbackSql || '-- no rollback SQL', { class: 'sql rollback-sql', 'aria-label': 'rollback SQL' }))),
      a.policies && a.policies.length ? [h('h3', {}, 'Policies'), table(['Step', 'Result', 'Error'], a.policies.map(p =>
        h('tr', {}, h('td', {}, p.step), h('td', {}, statusBadge(p.status)), h('td', {}, p.error || ''))))] : null,
      h('h3', {}, 'Decisions so far'),
      a.decisions && a.decisions.length
        ? h('ul', { class: 'decisions' }, a.decisions.map(d => h('li', {}, d.decision + ' by ' + d.identity + ' ', time(d.at), d.comment ? ': “' + d.comment + '”' : '')))
        : h('p', { class: 'muted decisions' }, 'nobody yet'),
      decide(a, result), result);
  }

  function decide(a, result) {
    if (!may('approve')) return h('p', { class: 'muted no-approve' }, 'You can read this approval; deciding needs the approver role.');
    if (a.youMayApprove === false) return h('p', { class: 'muted no-approve' }, 'You may not decide: ' + (a.why || 'not allowed'));
    const id = 'comment-' + a.executionId;
    const comment = h('textarea', { id, maxlength: 2000, rows: 2 });
    const send = (decision) => async () => {
      try {
        const view = await post('/api/v1/executions/' + encodeURIComponent(a.executionId) + '/approvals', { decision, comment: comment.value || null });
        result.replaceChildren(message('ok', (decision === 'approve' ? 'Approved' : 'Rejected') + ' SQL ' + (view.sqlHash || '').slice(0, 12) + '; the approval is now ' + view.status + '.'));
        for (const b of result.parentElement.querySelectorAll('.decide button')) b.disabled = true;
      } catch (e) {
        result.replaceChildren(message('error', errorText(e)));
      }
    };
    return h('div', {},
      h('label', { for: id }, 'Comment'), comment,
      h('div', { class: 'decide' },
        h('button', { type: 'button', class: 'primary approve', onclick: send('approve') }, 'Approve'),
        h('button', { type: 'button', class: 'danger reject', onclick: send('reject') }, 'Reject')));
  }

  await refresh();
  const timer = setInterval(() => { if (!list.querySelector('textarea:focus') && !list.querySelector('.decision-result:not(:empty)')) refresh(); }, 10000);
  return () => clearInterval(timer);
}
