import { useEffect, useState } from 'react';
import { call } from './api.js';
import EnrollTotp from './EnrollTotp.jsx';

// The user's tokens with their state, and enrollment of a new TOTP token.
export default function Tokens() {
  const [tokens, setTokens] = useState([]);
  const [error, setError] = useState('');
  const [enrolling, setEnrolling] = useState(false);

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

  const state = (t) =>
    t.revoked ? 'revoked' : t.failcounter_exceeded ? 'locked' : !t.active ? 'disabled' : t.rollout_state || 'enrolled';

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
              <th>Description</th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.serial} data-serial={t.serial}>
                <td>{t.serial}</td>
                <td>{t.tokentype}</td>
                <td className="state">{state(t)}</td>
                <td>{t.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {enrolling ? (
        <EnrollTotp
          onDone={() => {
            setEnrolling(false);
            load();
          }}
        />
      ) : (
        <button onClick={() => setEnrolling(true)}>Enroll an authenticator app (TOTP)</button>
      )}
    </section>
  );
}
