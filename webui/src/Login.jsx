import { useState } from 'react';
import { login } from './api.js';

// The password first; where a webui policy asks for a second factor (login_mode tessera), the
// server answers with a challenge and the form asks for the value from a token.
// notice: why the form is shown again (a session that ended, a logout).
export default function Login({ onLogin, notice }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [first, setFirst] = useState(null); // { username, password, realm, challenge }

  async function submit(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    setBusy(true);
    setError('');
    try {
      if (first) {
        const who = await login(first.username, first.password, first.realm, form.get('otp'),
          first.challenge.transaction_id);
        onLogin(who);
        return;
      }
      const credentials = { username: form.get('username'), password: form.get('password'), realm: form.get('realm') };
      const answer = await login(credentials.username, credentials.password, credentials.realm);
      if (answer.challenge) setFirst({ ...credentials, challenge: answer.challenge });
      else onLogin(answer);
    } catch (e) {
      setError(e.message);
      if (first) setFirst(null); // a wrong value starts over with the password
    } finally {
      setBusy(false);
    }
  }

  const status = (
    <>
      {error && <p role="alert" className="error">{error}</p>}
      <button type="submit" disabled={busy}>
        Log in
      </button>
    </>
  );

  if (first)
    return (
      <Frame label="Second factor" onSubmit={submit}>
        <p>{first.challenge.message || 'Enter the value from your token.'}</p>
        <label>
          One-time password <input name="otp" autoComplete="one-time-code" inputMode="numeric" required autoFocus />
        </label>
        {status}
      </Frame>
    );

  return (
    <Frame label="Log in" onSubmit={submit}>
      {notice && !error && <p role="status">{notice}</p>}
      <label>
        User name <input name="username" autoComplete="username" required autoFocus />
      </label>
      <label>
        Password <input name="password" type="password" autoComplete="current-password" required />
      </label>
      <label>
        Realm <input name="realm" placeholder="the default realm" />
      </label>
      {status}
    </Frame>
  );
}

function Frame({ label, onSubmit, children }) {
  return (
    <main className="login">
      <h1>Tessera</h1>
      <form onSubmit={onSubmit} aria-label={label}>
        {children}
      </form>
    </main>
  );
}
