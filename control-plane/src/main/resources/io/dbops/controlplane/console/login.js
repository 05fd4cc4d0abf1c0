// Sign-in: an API token (POST /console/session), or OIDC when the control plane has it configured.
import { call, get } from './api.js';
import { h, message, errorText } from './dom.js';

export async function render(main, _params, app) {
  const next = new URLSearchParams(location.search).get('next') || '/executions';
  const error = h('div', { id: 'login-error', 'aria-live': 'polite' });
  const token = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off',
    spellcheck: 'false', required: true, placeholder: 'dbops_pat_…' });
  const form = h('form', { id: 'login-form', class: 'card narrow' },
    h('h1', {}, 'Sign in to dbops'),
    h('label', { for: 'token' }, 'API token'),
    token,
    h('p', { class: 'hint' }, 'A personal token from "dbops access create" or your admin. It is sent once to open a session and never stored by the page.'),
    h('button', { type: 'submit', class: 'btn primary', id: 'sign-in' }, 'Sign in'),
    error);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.replaceChildren();
    try {
      await call('POST', '/console/session', { token: token.value.trim() });
      token.value = '';
      await app.onSignedIn(next);
    } catch (e) {
      token.value = '';
      error.appendChild(message('error', e.status === 401 ? 'That token was not accepted (401).' : errorText(e)));
    }
  });
  main.appendChild(form);
  try {
    const config = await get('/console/config');
    if (config && config.oidc) {
      form.appendChild(h('p', { class: 'or' }, 'or'));
      form.appendChild(h('a', { class: 'btn', id: 'oidc-login', href: '/console/oidc/login' }, 'Sign in with your identity provider'));
    }
  } catch (e) { /* token sign-in only */ }
  token.focus();
}
