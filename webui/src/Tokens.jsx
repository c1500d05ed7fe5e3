import { useEffect, useState } from 'react';
import { call } from './api.js';
import EnrollCertificate from './EnrollCertificate.jsx';
import EnrollTotp from './EnrollTotp.jsx';
import { saveFile } from './saveFile.js';

// The user's tokens with their state and, for certificates, when they expire; what the user
// may do with each; and enrollment of new ones.
export default function Tokens() {
  const [tokens, setTokens] = useState([]);
  const [error, setError] = useState('');
  const [enrolling, setEnrolling] = useState('');

  async function load() {
    try {
      const body = await call('GET', '/token/', { pagesize: 100 });
      setTokens(body.result.value.tokens);
    } catch (e) {
      setError(e.message);
    }
  }
  useEffect(() => {
    load();
  }, []);

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

  const state = (t) =>
    t.revoked ? 'revoked' : t.failcounter_exceeded ? 'locked' : !t.active ? 'disabled' : t.rollout_state || 'enrolled';
  const expires = (t) =>
    t.info?.not_after ? new Date(Number(t.info.not_after) * 1000).toISOString().slice(0, 10) : '';
  const done = () => {
    setEnrolling('');
    load();
  };

  return (
    <section>
      <h2>Your tokens</h2>
      {error && <p role="alert" className="error">{error}</p>}
      {tokens.length === 0 ? (
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
                <td className="state">{state(t)}</td>
                <td>{expires(t)}</td>
                <td className="actions">
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
      {enrolling === 'totp' && <EnrollTotp onDone={done} />}
      {enrolling === 'certificate' && <EnrollCertificate onDone={done} />}
      {!enrolling && (
        <p className="actions">
          <button onClick={() => setEnrolling('totp')}>Enroll an authenticator app (TOTP)</button>{' '}
          <button onClick={() => setEnrolling('certificate')}>Request a certificate</button>
        </p>
      )}
    </section>
  );
}
