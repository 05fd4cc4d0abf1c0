// The console's shell: who is signed in, the navigation and a tiny router. Pages are modules with
// render(main, params) returning an optional cleanup function (stop polls, close streams).
import { get, post, setSession, currentSession, may, call } from './api.js';
import { h, clear, message, errorText } from './dom.js';
import * as login from './login.js';
import * as executions from './executions.js';
import * as execution from './execution.js';
import * as approvals from './approvals.js';
import * as state from './state.js';
import * as delegates from './delegates.js';
import * as admin from './admin.js';

const routes = [
  [/^\/$/, null, () => navigate('/executions', true)],
  [/^\/login$/, null, login.render],
  [/^\/executions$/, 'executions', executions.render],
  [/^\/executions\/([^/]+)$/, 'executions', execution.render],
  [/^\/approvals$/, 'approvals', approvals.render],
  [/^\/state$/, 'state', state.render],
  [/^\/state\/targets\/([^/]+)$/, 'state', state.renderTarget],
  [/^\/delegates$/, 'delegates', delegates.render],
  [/^\/admin$/, 'admin', admin.render],
];

let cleanup = null;
const main = document.getElementById('main');

export function navigate(path, replace) {
  if (replace) history.replaceState(null, '', path); else history.pushState(null, '', path);
  route();
}

async function route() {
  if (cleanup) { try { cleanup(); } catch (e) { /* a page's cleanup must not stop navigation */ } }
  cleanup = null;
  const path = location.pathname;
  if (path !== '/login' && !currentSession()) {
    if (!(await loadSession())) { navigate('/login?next=' + encodeURIComponent(path + location.search), true); return; }
  }
  for (const [re, page, render] of routes) {
    const m = path.match(re);
    if (!m) continue;
    for (const a of document.querySelectorAll('#nav a')) {
      if (a.dataset.page === page) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
    clear(main);
    try {
      cleanup = await render(main, m.slice(1).map(decodeURIComponent), { navigate, onSignedIn }) || null;
    } catch (e) {
      main.appendChild(message('error', errorText(e)));
    }
    return;
  }
  clear(main).appendChild(message('error', 'No such page: ' + path));
}

async function loadSession() {
  try {
    setSession(await get('/api/v1/session'));
    showIdentity();
    return true;
  } catch (e) {
    setSession(null);
    showIdentity();
    return false;
  }
}

async function onSignedIn(next) {
  await loadSession();
  navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/executions', true);
}

function showIdentity() {
  const s = currentSession();
  document.getElementById('nav').hidden = !s;
  document.getElementById('who').hidden = !s;
  document.getElementById('nav-admin').hidden = !(may('access') || may('audit') || may('secrets'));
  document.getElementById('who-name').textContent = s ? s.name + ' (' + (s.roles || []).join(', ') + ')' : '';
}

document.getElementById('logout').addEventListener('click', async () => {
  try { await call('POST', '/console/logout'); } catch (e) { /* the session is gone either way */ }
  setSession(null);
  showIdentity();
  navigate('/login', true);
});

// Links marked data-nav change the page without a reload; modified clicks keep their meaning.
document.addEventListener('click', (ev) => {
  const a = ev.target.closest && ev.target.closest('a[data-nav]');
  if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin) return;
  ev.preventDefault();
  navigate(url.pathname + url.search + url.hash);
  main.focus({ preventScroll: true });
});
window.addEventListener('popstate', route);
window.addEventListener('dbops:unauthorized', () => {
  if (location.pathname === '/login') return;
  setSession(null);
  showIdentity();
  navigate('/login?next=' + encodeURIComponent(location.pathname + location.search), true);
});

route();
