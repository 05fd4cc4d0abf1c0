// The one client of the public REST API. Credentials: the dbops_session cookie (HttpOnly, sent by
// the browser); state-changing calls carry the session's CSRF token in X-CSRF-Token.

let session = null;

export function setSession(s) { session = s; }
export function currentSession() { return session; }

/** True when the signed-in identity's roles grant the verb (read, run, approve, audit...). */
export function may(verb) {
  return !!(session && Array.isArray(session.verbs) && session.verbs.includes(verb));
}

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || ('HTTP ' + status));
    this.status = status;
    this.body = body;
  }
}

export async function call(method, path, body) {
  const headers = { 'Accept': 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && session && session.csrfToken) {
    headers['X-CSRF-Token'] = session.csrfToken;
  }
  const res = await fetch(path, {
    method, headers, credentials: 'same-origin', cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = { message: text }; }
  if (!res.ok) {
    if (res.status === 401 && !path.startsWith('/console/')) {
      window.dispatchEvent(new CustomEvent('dbops:unauthorized'));
    }
    throw new ApiError(res.status, data);
  }
  return data;
}

export const get = (path) => call('GET', path);
export const post = (path, body) => call('POST', path, body === undefined ? {} : body);

export function q(params) {
  const usp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') usp.set(k, v);
  const s = usp.toString();
  return s ? '?' + s : '';
}
