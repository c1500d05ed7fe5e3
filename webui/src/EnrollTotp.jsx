import { useState } from 'react';
import { call } from './api.js';

// TOTP or HOTP enrollment: the server makes the seed and shows it once as a QR code and an
// otpauth link; the user proves the app works by entering its first code, and the server holds
// the token (rollout state "verify") until then. An admin enrolls for a user by giving user and
// realm; the policy verify_enrollment decides whether that token waits for its first code.
// onMade: told when the server has made or confirmed the token (so a list can show it).
// onDone: closes the panel (Done, or Cancel before the token is made; a token made but not yet
// confirmed stays in the list, where it can be confirmed or deleted).
export default function EnrollTotp({ onDone, onMade, user, realm, type = 'totp' }) {
  const [made, setMade] = useState(null);
  const [error, setError] = useState('');
  const [confirmed, setConfirmed] = useState(false);

  async function start() {
    setError('');
    try {
      const params = { type, genkey: '1' };
      if (user) Object.assign(params, { user, realm: realm || '' });
      else params.verify_enrollment = '1';
      const body = await call('POST', '/token/init', params);
      setMade(body.detail);
      onMade?.();
    } catch (e) {
      setError(e.message);
    }
  }

  async function confirm(event) {
    event.preventDefault();
    setError('');
    const otp = new FormData(event.target).get('otp');
    try {
      if (made.rollout_state === 'verify') {
        // The server holds the token until its first value (policy verify_enrollment).
        await call('POST', '/token/init', { serial: made.serial, verify: otp });
      } else {
        const body = await call('POST', '/validate/check', { serial: made.serial, pass: otp });
        if (body.result.value !== true) throw new Error('That code is not right: try the next one.');
      }
      setConfirmed(true);
      onMade?.(); // its state changed
    } catch (e) {
      setError(e.message);
    }
  }

  if (!made)
    return (
      <div className="card">
        <p>
          {user ? `The token will belong to ${user}${realm ? '@' + realm : ''}. ` : ''}
          {type === 'hotp'
            ? 'The authenticator app will show a new code each time it is asked.'
            : `${user ? 'The' : 'Your'} authenticator app will show a new code every 30 seconds.`}
        </p>
        {error && <p role="alert" className="error">{error}</p>}
        <div className="buttons">
          <button onClick={start} autoFocus>
            Create the token
          </button>
          <button className="secondary" onClick={onDone}>
            Cancel
          </button>
        </div>
      </div>
    );
  const secret = made.otpkey?.value_b32 || '';
  return (
    <div className="card">
      <h3>Token {made.serial}</h3>
      <p>
        {user
          ? `Have ${user} scan this code with their authenticator app, or send them the link.`
          : 'Scan this code with your authenticator app, or open the link on your phone.'}
      </p>
      {made.googleurl?.img && <img src={made.googleurl.img} alt="QR code of the new token" width="220" />}
      <p>
        <a href={made.googleurl?.value}>Open in an authenticator app</a>
      </p>
      <p>
        Or type the secret: <code data-testid="secret">{secret}</code>
      </p>
      {confirmed ? (
        <>
          <p role="status">The app works: {user ? 'the' : 'your'} token is enrolled.</p>
          <button onClick={onDone}>Done</button>
        </>
      ) : (
        <form onSubmit={confirm} aria-label="Confirm the token">
          <label>
            Code from the app <input name="otp" inputMode="numeric" pattern="[0-9]{6,8}" required autoFocus />
          </label>
          {error && <p role="alert" className="error">{error}</p>}
          <div className="buttons">
            <button type="submit">Confirm</button>
            <button type="button" className="secondary" onClick={onDone}>
              Later
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
