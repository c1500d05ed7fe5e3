import { useEffect, useState } from 'react';
import { call } from './api.js';
import EnrollSmartcard from './EnrollSmartcard.jsx';
import Messages from './Messages.jsx';
import { expiryDate, tokenState } from './tokenState.js';

// A user's smart cards and certificates on the admin's Users page ("User Certificates"): each
// with its state and expiry, revoked or replaced by a new card; and a card enrolled on the
// user's behalf through the card agent.
export default function UserCards({ user, realm, onClose }) {
  const [tokens, setTokens] = useState([]);
  const [enrolling, setEnrolling] = useState(null); // {replaces?}
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  async function load() {
    try {
      const lists = await Promise.all(
        ['smartcard', 'certificate'].map((type) => call('GET', '/token/', { user, realm, type, pagesize: 100 })),
      );
      setTokens(lists.flatMap((body) => body.result.value.tokens));
    } catch (e) {
      setError(e.message);
    }
  }
  useEffect(() => {
    load();
  }, [user, realm]);
  async function revoke(serial) {
    setError('');
    setNotice('');
    try {
      await call('POST', `/token/revoke/${serial}`);
      setNotice(`${serial} revoked: its certificate is revoked at the CA.`);
      await load();
    } catch (e) {
      setError(e.message);
    }
  }
  if (enrolling)
    return (
      <EnrollSmartcard
        user={user}
        realm={realm}
        replaces={enrolling.replaces}
        onMade={load}
        onDone={() => {
          setEnrolling(null);
          load();
        }}
      />
    );
  return (
    <section className="card" aria-label={`Certificates of ${user}`}>
      <h3>
        Certificates of {user}@{realm}
      </h3>
      <Messages error={error} notice={notice} />
      {tokens.length === 0 ? (
        <p>No smart card or certificate yet.</p>
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
                <td>{t.tokentype === 'smartcard' ? 'smart card' : 'certificate'}</td>
                <td className="state">{tokenState(t)}</td>
                <td>{expiryDate(t)}</td>
                <td className="actions">
                  {!t.revoked && (
                    <button className="small" onClick={() => revoke(t.serial)}>
                      Revoke
                    </button>
                  )}
                  {t.tokentype === 'smartcard' && !t.revoked && t.rollout_state === 'enrolled' && (
                    <button className="small" onClick={() => setEnrolling({ replaces: t.serial })}>
                      Replace the card
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="buttons">
        <button onClick={() => setEnrolling({})}>Enroll on behalf: a smart card</button>
        <button className="secondary" onClick={onClose}>
          Close
        </button>
      </div>
    </section>
  );
}
