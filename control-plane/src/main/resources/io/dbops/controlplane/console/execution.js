// One execution: facts, stages and steps as a timeline with durations, targets and delegates, a
// rollout's per-target table, the summary (changesets, rollback tag, rollbacks, approvals), the
// events, and the live log. The view is re-read every 2 s until the execution has finished.
import { get, post, may } from './api.js';
import { h, fill, link, statusBadge, time, duration, formatMillis, table, message, errorText } from './dom.js';
import { logView } from './logview.js';

const DONE = ['SUCCEEDED', 'FAILED'];

export async function render(main, [id]) {
  const head = h('div', { id: 'execution-head' });
  const timeline = h('section', { 'aria-labelledby': 'tl-h' }, h('h2', { id: 'tl-h' }, 'Stages'), h('div', { class: 'timeline', id: 'timeline' }));
  const summary = h('section', { id: 'summary', 'aria-labelledby': 'sum-h' });
  const events = h('section', { id: 'events' });
  const log = logView(id);
  main.append(head, timeline, log.root, summary, events);

  let timer = null;
  let stopped = false;
  async function refresh() {
    try {
      const ex = await get('/api/v1/executions/' + encodeURIComponent(id));
      let approvals = [];
      try { approvals = await get('/api/v1/executions/' + encodeURIComponent(id) + '/approvals'); } catch (e) { /* none */ }
      draw(ex, approvals);
      if (!stopped && !DONE.includes(ex.status)) timer = setTimeout(refresh, 2000);
    } catch (e) {
      head.replaceChildren(message('error', errorText(e)));
      if (!stopped && e.status !== 404) timer = setTimeout(refresh, 4000);
    }
  }

  function draw(ex, approvals) {
    const o = ex.origin || {};
    head.replaceChildren(
      h('h1', {}, 'Execution ', h('span', { class: 'mono' }, ex.id), ' ', h('span', { id: 'execution-status' }, statusBadge(ex.status))),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Pipeline'), h('dd', {}, ex.pipelineName + (o.pipelineVersion ? ' v' + o.pipelineVersion : '')),
        h('dt', {}, 'Started by'), h('dd', {}, (o.startedBy || 'unknown') + (o.source ? ' via ' + o.source : '')),
        h('dt', {}, 'Created'), h('dd', {}, time(ex.createdAt)),
        h('dt', {}, 'Duration'), h('dd', {}, duration(ex.startedAt, ex.finishedAt) || '–'),
        o.inputs && Object.keys(o.inputs).length ? [h('dt', {}, 'Inputs'), h('dd', { class: 'mono' }, Object.entries(o.inputs).map(([k, v]) => k + '=' + v).join(' '))] : null,
        ex.error ? [h('dt', {}, 'Error'), h('dd', { class: 'msg-error', id: 'execution-error' }, ex.error)] : null),
      actions(ex));
    drawTimeline(ex);
    drawSummary(ex, approvals);
    events.replaceChildren(...(ex.events && ex.events.length ? [h('h2', {}, 'Events'), table(['At', 'Type', 'Stage', 'Actor', 'Message'],
      ex.events.map(e => h('tr', {}, h('td', {}, time(e.at)), h('td', {}, e.type), h('td', {}, e.stage || ''), h('td', {}, e.actor || ''), h('td', {}, e.message || '')))) ] : []));
  }

  function actions(ex) {
    const box = h('div', { class: 'decide' });
    if (ex.status === 'WAITING_APPROVAL') box.append(link('/approvals#approval-' + ex.id, 'Review the approval'));
    if (may('abort') && !DONE.includes(ex.status)) {
      box.append(h('button', { type: 'button', class: 'danger', id: 'abort', onclick: async () => {
        if (!confirm('Abort execution ' + ex.id + '?')) return;
        try { await post('/api/v1/executions/' + ex.id + '/abort'); refresh(); } catch (e) { box.append(message('error', errorText(e))); }
      } }, 'Abort'));
    }
    const failedRollout = (ex.stages || []).some(s => s.rollout && s.rollout.counts && s.rollout.counts.failed > 0);
    if (may('run') && DONE.includes(ex.status) && failedRollout) {
      box.append(h('button', { type: 'button', class: 'btn', id: 'retry-failed', onclick: async () => {
        try { const r = await post('/api/v1/executions/' + ex.id + '/retry', { failedOnly: true }); location.assign('/executions/' + r.id); }
        catch (e) { box.append(message('error', errorText(e))); }
      } }, 'Retry failed targets'));
    }
    return box;
  }

  function drawTimeline(ex) {
    const stages = ex.stages || [];
    const t0 = Math.min(...stages.filter(s => s.startedAt).map(s => +new Date(s.startedAt)), +new Date(ex.startedAt || ex.createdAt));
    const t1 = ex.finishedAt ? +new Date(ex.finishedAt) : Date.now();
    const span = Math.max(t1 - t0, 1);
    document.getElementById('timeline').replaceChildren(...stages.map(s => {
      const a = s.startedAt ? +new Date(s.startedAt) : null;
      const b = s.finishedAt ? +new Date(s.finishedAt) : (a ? Date.now() : null);
      const bar = a ? h('span', {}) : null;
      if (bar) { bar.style.left = ((a - t0) / span * 100) + '%'; bar.style.width = ((b - a) / span * 100) + '%'; }
      return h('article', { class: 'stage st-' + s.status.toLowerCase().replace(/_/g, '-'), dataset: { stage: s.name } },
        h('div', { class: 'stage-head' },
          h('strong', {}, s.name), statusBadge(s.status),
          s.target ? h('span', { class: 'mono' }, s.target) : null,
          s.delegateName ? h('span', { class: 'muted' }, 'delegate ' + s.delegateName) : null,
          h('span', { class: 'muted' }, duration(s.startedAt, s.finishedAt))),
        h('div', { class: 'bar', 'aria-hidden': 'true' }, bar),
        s.waiting ? message('info', s.waiting) : null,
        s.error ? h('p', { class: 'msg msg-error' }, s.error) : null,
        h('ul', { class: 'steps' }, (s.steps || []).map(st => h('li', {},
          statusBadge(st.status), h('span', {}, st.name), h('span', { class: 'muted' }, st.type),
          h('span', { class: 'muted' }, st.output && st.output.durationMillis ? formatMillis(st.output.durationMillis) : duration(st.startedAt, st.finishedAt)),
          st.error ? h('span', { class: 'msg-error' }, st.error) : null))),
        s.rollout ? rollout(s.rollout) : null);
    }));
  }

  function rollout(r) {
    const c = r.counts || {};
    return h('div', { class: 'rollout' },
      h('h3', {}, 'Rollout ' + (r.group || '')),
      h('p', { class: 'muted', id: 'rollout-counts' }, ['queued', 'running', 'succeeded', 'failed', 'rolledBack', 'skipped']
        .map(k => k + ' ' + (c[k] || 0)).join(' · ') + (r.waitingApproval ? ' · waiting approval ' + r.waitingApproval : '')),
      table(['Target', 'Host', 'Wave', 'Status', 'Execution', 'Error', 'SQL hash', 'Approved by'], (r.targets || []).map(t => h('tr', {},
        h('td', {}, link('/state/targets/' + encodeURIComponent(t.target), t.target)), h('td', { class: 'mono' }, t.host || ''),
        h('td', {}, t.wave === undefined || t.wave === null ? '' : String(t.wave)),
        h('td', {}, statusBadge(t.status), t.ownApproval ? ' own approval' : ''),
        h('td', {}, t.executionId ? link('/executions/' + t.executionId, t.executionId) : ''), h('td', {}, t.error || ''),
        h('td', { class: 'mono' }, (t.sqlHash || '').slice(0, 12)), h('td', {}, (t.approvedBy || []).join(', '))))));
  }

  function drawSummary(ex, approvals) {
    const applied = [];
    let tag = null;
    for (const s of ex.stages || []) {
      for (const st of s.steps || []) {
        const out = st.output;
        if (!out) continue;
        for (const c of out.changesets || []) if (st.type === 'apply' && (c.state || '').toUpperCase() === 'EXECUTED') applied.push([s.name, c]);
        if (st.type === 'apply' && out.outputs && out.outputs.preStartTag) tag = out.outputs.preStartTag;
      }
    }
    const rollbacks = (ex.stages || []).flatMap(s => ((s.recovery && s.recovery.rollbacks) || []).map(r => [s.name, r]));
    fill(summary, h('h2', { id: 'sum-h' }, 'Summary'),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Changesets applied'), h('dd', { id: 'changesets-applied' }, String(applied.length)),
        h('dt', {}, 'Rollback tag'), h('dd', { class: 'mono' }, tag || '–'),
        h('dt', {}, 'Rollbacks'), h('dd', {}, rollbacks.length ? rollbacks.map(([s, r]) => s + '/' + r.applyStep + ' to ' + r.tag + ': ' + r.status).join('; ') : 'none'),
        h('dt', {}, 'Approvals'), h('dd', { id: 'approvals-summary' }, approvals.length ? approvals.map(a => a.stage + ': ' + a.status +
          (a.decisions && a.decisions.length ? ' (' + a.decisions.map(d => d.decision + ' by ' + d.identity).join(', ') + ')' : '')).join('; ') : 'none')),
      applied.length ? table(['Stage', 'Changeset', 'Author', 'File', 'Duration'], applied.map(([s, c]) => h('tr', {},
        h('td', {}, s), h('td', { class: 'mono' }, c.id), h('td', {}, c.author), h('td', { class: 'mono' }, c.file), h('td', {}, formatMillis(c.durationMillis))))) : null);
  }

  await refresh();
  return () => { stopped = true; clearTimeout(timer); log.stop(); };
}
