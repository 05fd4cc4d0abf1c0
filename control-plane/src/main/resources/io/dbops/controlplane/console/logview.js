// Live log of an execution over the SSE route (GET /api/v1/executions/{id}/logs/stream), with a
// long-poll fallback when the server streams too many tails: level colours, progress per stream
// ("changeset 12 of 40"), search, a link to each line (#line-CURSOR) and a download.
import { get, q } from './api.js';
import { h } from './dom.js';

/** A line's time: the API sends epoch milliseconds. */
function stamp(ts) {
  if (ts === null || ts === undefined || ts === '') return '';
  const d = new Date(typeof ts === 'number' ? ts : String(ts));
  return isNaN(d) ? String(ts) : d.toISOString();
}

export function logView(executionId) {
  const lines = [];
  const progress = new Map();
  const box = h('div', { class: 'log', id: 'log', role: 'log', 'aria-live': 'off', tabindex: '0' });
  const progressBox = h('div', { id: 'log-progress', 'aria-live': 'polite' });
  const search = h('input', { type: 'search', id: 'log-search', placeholder: 'Search the log', 'aria-label': 'Search the log' });
  const count = h('span', { class: 'muted', id: 'log-count' });
  const stateLine = h('span', { class: 'muted', id: 'log-state' }, 'connecting…');
  const download = h('button', { type: 'button', class: 'btn', id: 'log-download' }, 'Download');
  const follow = h('input', { type: 'checkbox', id: 'log-follow', checked: true });
  const root = h('section', { 'aria-labelledby': 'log-h' },
    h('h2', { id: 'log-h' }, 'Log'),
    progressBox,
    h('div', { class: 'log-tools' }, search, count,
      h('label', { for: 'log-follow', class: 'muted' }, follow, ' follow'), download, stateLine),
    box);

  let needle = '';
  search.addEventListener('input', () => { needle = search.value.toLowerCase(); applySearch(); });
  download.addEventListener('click', () => {
    const text = lines.map(l => stamp(l.ts) + ' ' + l.level + ' [' + l.stream + '] ' + l.text).join('\n') + '\n';
    const a = h('a', { href: URL.createObjectURL(new Blob([text], { type: 'text/plain' })), download: executionId + '.log' });
    document.body.appendChild(a); a.click(); a.remove();
  });

  function applySearch() {
    let hits = 0;
    for (const el of box.children) {
      const match = !needle || el.dataset.text.includes(needle);
      el.classList.toggle('filtered', !match);
      el.classList.toggle('hit', !!needle && match);
      if (needle && match) hits++;
    }
    count.textContent = needle ? hits + ' matching line(s)' : lines.length + ' line(s)';
  }

  let scrolledToTarget = false;
  function addLine(l) {
    lines.push(l);
    const id = 'line-' + l.cursor;
    const el = h('div', { class: 'line lvl-' + (l.level || 'INFO'), id, dataset: { text: (l.text || '').toLowerCase() } },
      h('a', { href: '#' + id, title: 'Link to this line' }, String(l.cursor)),
      h('span', { class: 'ts', title: stamp(l.ts) }, stamp(l.ts).slice(11, 23)),
      h('span', { class: 'lvl' }, l.level || ''),
      h('span', { class: 'text' }, l.text || ''));
    if (needle && !el.dataset.text.includes(needle)) el.classList.add('filtered');
    box.appendChild(el);
    if (!scrolledToTarget && location.hash === '#' + id) { scrolledToTarget = true; el.scrollIntoView({ block: 'center' }); }
    else if (follow.checked && !location.hash.startsWith('#line-')) box.scrollTop = box.scrollHeight;
  }

  function setProgress(p) {
    progress.set(p.stream, p);
    progressBox.replaceChildren(...[...progress.values()].filter(x => x.total > 0 || x.done > 0).map(x =>
      h('div', { class: 'progress' },
        h('progress', { max: Math.max(x.total, 1), value: x.done, 'aria-label': 'progress of ' + x.stream }),
        h('span', { class: 'progress-text' }, x.total > 0 ? 'changeset ' + x.done + ' of ' + x.total : x.done + ' changeset(s)'),
        x.item ? h('span', { class: 'muted mono' }, x.item) : null,
        h('span', { class: 'muted' }, x.stream.split('/').slice(-2).join('/')))));
  }

  let source = null;
  let stopped = false;
  let lastCursor = 0;
  let ended = false;
  function onLine(l) { if (l.cursor > lastCursor) { lastCursor = l.cursor; addLine(l); count.textContent = lines.length + ' line(s)'; } }

  function start() {
    source = new EventSource('/api/v1/executions/' + encodeURIComponent(executionId) + '/logs/stream' + q({ after: lastCursor || undefined }));
    source.addEventListener('open', () => { stateLine.textContent = 'live'; });
    source.addEventListener('line', (ev) => onLine(JSON.parse(ev.data)));
    source.addEventListener('progress', (ev) => setProgress(JSON.parse(ev.data)));
    source.addEventListener('end', (ev) => {
      ended = true;
      source.close();
      stateLine.textContent = 'finished: ' + (JSON.parse(ev.data).executionStatus || '');
      applySearch();
    });
    source.addEventListener('error', () => {
      // EventSource reconnects by itself (Last-Event-ID) unless the server refused the stream.
      if (source.readyState === EventSource.CLOSED && !ended && !stopped) {
        stateLine.textContent = 'streaming refused; polling';
        poll();
      } else if (!ended) {
        stateLine.textContent = 'reconnecting…';
      }
    });
  }

  async function poll() {
    while (!stopped && !ended) {
      try {
        const page = await get('/api/v1/executions/' + encodeURIComponent(executionId) + '/logs' + q({ after: lastCursor, waitMillis: 20000 }));
        for (const l of page.lines) onLine(l);
        if (page.lines.length === 0 && ['SUCCEEDED', 'FAILED'].includes(page.executionStatus)) {
          ended = true;
          stateLine.textContent = 'finished: ' + page.executionStatus;
        }
      } catch (e) {
        stateLine.textContent = 'log unavailable (' + (e.status || e.message) + '); retrying';
        await new Promise(r => setTimeout(r, 3000));
      }
    }
  }

  start();
  return { root, stop: () => { stopped = true; if (source) source.close(); } };
}
