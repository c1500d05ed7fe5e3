// The server's REST API, as the WebUI uses it: every call sends the session's token and turns
// an error envelope into an Error carrying the server's message.
let token = sessionStorage.getItem('tessera.token') || '';
let onSessionEnd = () => {};

export function loggedIn() {
  return token !== '';
}

// The session's JWT, for the card agent, which calls the server on the page's behalf.
export function sessionToken() {
  return token;
}

// The tab forgets the session: its token, and who was logged in.
function forget() {
  token = '';
  for (const key of ['tessera.token', 'tessera.user', 'tessera.role']) sessionStorage.removeItem(key);
}

// tell(why) is called when the server refuses the session (it expired, or ended elsewhere): the
// page then goes back to the login form and says why, instead of showing old data.
export function whenSessionEnds(tell) {
  onSessionEnd = tell;
}

// Ends the session on the server too, so that the token is refused from now on even where a
// copy of it survives; the tab forgets it whatever the server answers.
export async function logout() {
  const ending = token;
  forget();
  if (ending)
    await fetch('/auth/logout', { method: 'POST', headers: { Authorization: ending } }).catch(() => {});
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
  if (response.status === 401 && options.headers.Authorization && path !== '/auth') {
    forget();
    onSessionEnd('Your session has ended (it expired, or you logged out elsewhere). Please log in again.');
    throw new Error('Your session has ended.');
  }
  if (!response.ok || !body.result || body.result.status === false) {
    const message = body.result?.error?.message || `the server answered ${response.status}`;
    throw new Error(message.replace(/^ERR-?\d+: /, ''));
  }
  return body;
}

// Logs in; with login_mode tessera the first answer has no token but a challenge
// ({challenge: {transaction_id, message}}), answered by calling again with otp and transaction_id.
export async function login(username, password, realm, otp, transaction_id) {
  const params = { username, password, realm };
  if (transaction_id) Object.assign(params, { otp, transaction_id });
  const body = await call('POST', '/auth', params);
  if (!body.result.value.token) {
    if (!body.detail?.transaction_id) throw new Error('the server answered without a session');
    return { challenge: { transaction_id: body.detail.transaction_id, message: body.detail.message } };
  }
  token = body.result.value.token;
  sessionStorage.setItem('tessera.token', token);
  return body.result.value;
}
