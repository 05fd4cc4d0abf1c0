// DOM helpers. Text from the API is only ever set with textContent (never parsed as HTML), so nothing
// a pipeline, a log line or a comment holds can become markup or script.

/** h('a', {href: '/x', class: 'btn'}, 'text', child...) -> element */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

/** Appends children as h() does: null, undefined and false are skipped (DOM append would print them). */
export function add(el, ...children) {
  append(el, children);
  return el;
}

/** Replaces an element's children, skipping null, undefined and false. */
export function fill(el, ...children) {
  return add(clear(el), ...children);
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** An internal link handled by the router (no page load). */
export function link(href, ...children) {
  return h('a', { href, 'data-nav': '' }, ...children);
}

export function statusBadge(status) {
  const s = status || 'UNKNOWN';
  return h('span', { class: 'badge st-' + s.toLowerCase().replace(/_/g, '-') }, s.replace(/_/g, ' '));
}

export function time(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return h('time', { datetime: iso, title: iso }, d.toLocaleString());
}

export function duration(fromIso, toIso) {
  if (!fromIso) return '';
  const ms = (toIso ? new Date(toIso) : new Date()) - new Date(fromIso);
  return formatMillis(ms);
}

export function formatMillis(ms) {
  if (ms < 0 || !isFinite(ms)) return '';
  if (ms < 1000) return ms + ' ms';
  const s = Math.round(ms / 1000);
  if (s < 60) return s + ' s';
  const m = Math.floor(s / 60);
  if (m < 60) return m + ' min ' + (s % 60) + ' s';
  return Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
}

export function table(headers, rows, caption) {
  return h('div', { class: 'table-wrap' },
    h('table', {},
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, headers.map(t => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows)));
}

export function message(kind, text) {
  return h('p', { class: 'msg msg-' + kind, role: kind === 'error' ? 'alert' : 'status' }, text);
}

/** A human sentence for a failed API call (the API's own message when it sent one). */
export function errorText(e) {
  if (e && e.body && e.body.message) return e.body.message + ' (' + e.status + ')';
  if (e && e.status) return 'The control plane answered ' + e.status;
  return 'Cannot reach the control plane: ' + (e && e.message ? e.message : e);
}
