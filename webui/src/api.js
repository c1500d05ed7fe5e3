// The server's REST API, as the WebUI uses it: every call sends the session's token and turns
// an error envelope into an Error carrying the server's message.
let token = sessionStorage.getItem('tessera.token') || '';

export function loggedIn() {
  return token !== '';
}

export function logout() {
  token = '';
  sessionStorage.removeItem('tessera.token');
}

export async function call(method, path, params = {}) {
  const options = { method, headers: {} };
  let url = path;
  if (token) options.headers.Authorization = token;
  if (method === 'GET') {
    const query = new URLSearchParams(params).toString();
    if (query) url += '?' + query;
  } else {
    options.headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(params);
  }
  const response = await fetch(url, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.result || body.result.status === false) {
    const message = body.result?.error?.message || `the server answered ${response.status}`;
    throw new Error(message.replace(/^ERR-?\d+: /, ''));
  }
  return body;
}

export async function login(username, password, realm) {
  const body = await call('POST', '/auth', { username, password, realm });
  token = body.result.value.token;
  sessionStorage.setItem('tessera.token', token);
  return body.result.value;
}
