import { useEffect, useState } from 'react';
import { call } from './api.js';
import EnrollCertificate from './EnrollCertificate.jsx';
import EnrollSmartcard from './EnrollSmartcard.jsx';
import EnrollTotp from './EnrollTotp.jsx';
import { saveFile } from './saveFile.js';
import { expiryDate, tokenState } from './tokenState.js';

// The user's tokens with their state and, for certificates, when they expire; what the user
// may do with each; and enrollment of new ones. While a request waits for a decision, the list
// asks again every few seconds, so that an approval shows without a reload.
const pollSeconds = 5;

export default function Tokens() {
  const [tokens, setTokens] = useState([]);
  const [loaded, setLoaded] = useState(false); // "no tokens" only once the server said so
  const [error, setError] = useState('');
  const [enrolling, setEnrolling] = useState('');
  const [confirming, setConfirming] = useState(''); // a token in "verify" awaiting its first code

  async function load() {
    try {
      const body = await call('GET', '/token/', { pagesize: 100 });
      setTokens(body.result.value.tokens);
      setLoaded(true);
    } catch (e) {
      setError(e.message);
    }
  }
  useEffect(() => {
    load();
  }, []);
  const waiting = tokens.some((t) => t.rollout_state === 'pending' || t.rollout_state === 'review');
  useEffect(() => {
    if (!waiting) return undefined;
    const timer = setInterval(load, pollSeconds * 1000);
    return () => clearInterval(timer);
  }, [waiting]);

  async function act(serial, action) {
    setError('');
    try {
      if (action === 'delete') await call('DELETE', `/token/${serial}`);
      else await call('POST', `/token/${action}/${serial}`);
      await load();
    } catch (e) {
      setError(e.message);
    }
  }

  async function confirm(event) {
    event.preventDefault();
    setError('');
    try {
      await call('POST', '/token/init', { serial: confirming, verify: new FormData(event.target).get('otp') });
      setConfirming('');
      await load();
    } catch (e) {
      setError(e.message);
    }
  }

  const done = () => {
    setEnrolling('');
    load();
  };

  return (
    <section>
      <h1>Your tokens</h1>
      {error && <p role="alert" className="error">{error}</p>}
      {!loaded ? (
        !error && <p>Loading your tokens…</p>
      ) : tokens.length === 0 ? (
        <p>You have no tokens yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Serial</th>
              <th>Type</th>
              <th>State</th>
              <th>Expires</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.serial} data-serial={t.serial}>
                <td>{t.serial}</td>
                <td>{t.tokentype}</td>
                <td className="state">{tokenState(t)}</td>
                <td>{expiryDate(t)}</td>
                <td className="actions">
                  {t.rollout_state === 'verify' && !t.revoked && confirming !== t.serial && (
                    <button className="small" onClick={() => setConfirming(t.serial)}>
                      Confirm
                    </button>
                  )}
                  {confirming === t.serial && (
                    <form className="inline" onSubmit={confirm} aria-label={`Confirm ${t.serial}`}>
                      <label>
                        Code from the app{' '}
                        <input name="otp" inputMode="numeric" pattern="[0-9]{6,8}" required autoFocus size="8" />
                      </label>
                      <button className="small" type="submit">
                        Confirm
                      </button>
                      <button className="small" type="button" onClick={() => setConfirming('')}>
                        Cancel
                      </button>
                    </form>
                  )}
                  {!t.revoked && (
                    <button className="small" onClick={() => act(t.serial, t.active ? 'disable' : 'enable')}>
                      {t.active ? 'Disable' : 'Enable'}
                    </button>
                  )}
                  {!t.revoked && t.tokentype === 'certificate' && (
                    <button className="small" onClick={() => act(t.serial, 'revoke')}>
                      Revoke
                    </button>
                  )}
                  {t.info?.certificate && (
                    <button
                      className="small"
                      onClick={() => saveFile(`${t.serial}.pem`, t.info.certificate, 'application/x-pem-file')}
                    >
                      Download
                    </button>
                  )}
                  <button className="small" onClick={() => act(t.serial, 'delete')}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(enrolling === 'totp' || enrolling === 'hotp') && <EnrollTotp type={enrolling} onDone={done} onMade={load} />}
      {enrolling === 'certificate' && <EnrollCertificate onDone={done} onMade={load} />}
      {enrolling === 'smartcard' && <EnrollSmartcard onDone={done} onMade={load} />}
      {!enrolling && (
        <p className="actions">
          <button onClick={() => setEnrolling('totp')}>Enroll an authenticator app (TOTP)</button>{' '}
          <button onClick={() => setEnrolling('hotp')}>Enroll a counter-based token (HOTP)</button>{' '}
          <button onClick={() => setEnrolling('certificate')}>Request a certificate</button>{' '}
          <button onClick={() => setEnrolling('smartcard')}>Enroll a smart card</button>
        </p>
      )}
    </section>
  );
}
