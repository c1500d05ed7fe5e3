import { useEffect, useRef, useState } from 'react';
import { call } from './api.js';
import { ConfirmButton } from './AdminParts.jsx';
import EnrollCertificate from './EnrollCertificate.jsx';
import EnrollSmartcard from './EnrollSmartcard.jsx';
import EnrollTotp from './EnrollTotp.jsx';
import Pager, { lastPage, PageSize } from './Pager.jsx';
import { localTime, timeZone } from './time.js';
import Messages from './Messages.jsx';
import { tokenState } from './tokenState.js';

// Every user's tokens, for admins: searched with the filters GET /token/ knows, a page at a
// time; each token enabled or disabled, revoked (certificates), unassigned, deleted (after a
// confirmation) or shown with its history; and enrollment on behalf of a user.
const STATES = ['enrolled', 'verify', 'pending', 'review', 'failed', 'denied'];
const TYPES = ['hotp', 'totp', 'certificate', 'smartcard'];
const NO_FILTER = { serial: '', realm: '', user: '', type: '', rollout_state: '', active: '', assigned: '' };

export default function AllTokens() {
  const [filter, setFilter] = useState(NO_FILTER); // as typed
  const [query, setQuery] = useState(NO_FILTER); // as last searched
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(15);
  const [result, setResult] = useState({ tokens: [], count: 0, next: null, prev: null });
  const [realms, setRealms] = useState([]);
  const [history, setHistory] = useState(null);
  const [enrolling, setEnrolling] = useState(false);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [reloads, setReloads] = useState(0); // counted up to read the same page again

  useEffect(() => {
    const params = { page, pagesize: pageSize };
    for (const [key, value] of Object.entries(query)) if (value !== '') params[key] = value;
    let ignore = false; // set once a newer load starts: only its answer is shown
    call('GET', '/token/', params)
      .then((body) => {
        if (ignore) return;
        const value = body.result.value;
        // The page's last tokens are gone (deleted here or elsewhere): the last page there is.
        if (value.tokens.length === 0 && value.count > 0 && page > 1) return setPage(lastPage(value.count, pageSize));
        setResult(value);
      })
      .catch((e) => {
        if (!ignore) setError(e.message);
      });
    return () => {
      ignore = true;
    };
  }, [query, page, pageSize, reloads]);
  const reload = () => setReloads((n) => n + 1);
  useEffect(() => {
    call('GET', '/realm/')
      .then((body) => setRealms(Object.keys(body.result.value)))
      .catch((e) => setError(e.message));
  }, []);

  function search(event) {
    event.preventDefault();
    setError('');
    setNotice('');
    setQuery({ ...filter });
    setPage(1);
  }

  async function act(serial, action) {
    setError('');
    setNotice('');
    try {
      if (action === 'delete') await call('DELETE', `/token/${encodeURIComponent(serial)}`);
      else await call('POST', `/token/${action}/${encodeURIComponent(serial)}`);
      const done = { enable: 'enabled', disable: 'disabled', revoke: 'revoked', unassign: 'unassigned', delete: 'deleted' };
      setNotice(`${serial}: ${done[action]}.`);
      if (history?.serial === serial) setHistory(null);
      reload();
    } catch (e) {
      setError(e.message);
    }
  }

  async function showHistory(serial) {
    setError('');
    try {
      setHistory((await call('GET', `/token/history/${encodeURIComponent(serial)}`)).result.value);
    } catch (e) {
      setError(e.message);
    }
  }

  const field = (key) => ({ value: filter[key], onChange: (e) => setFilter({ ...filter, [key]: e.target.value }) });

  return (
    <section>
      <h1>All tokens</h1>
      <form className="card filters" onSubmit={search} aria-label="Search tokens">
        <label>
          Serial <input {...field('serial')} placeholder="HOTP* (* matches anything)" />
        </label>
        <label>
          Realm
          <select aria-label="Realm" {...field('realm')}>
            <option value="">any realm</option>
            {realms.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label>
          User <input {...field('user')} placeholder="in the realm chosen" />
        </label>
        <label>
          Type
          <select aria-label="Type" {...field('type')}>
            <option value="">any type</option>
            {TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Rollout state
          <select aria-label="Rollout state" {...field('rollout_state')}>
            <option value="">any state</option>
            {STATES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Active
          <select aria-label="Active" {...field('active')}>
            <option value="">either</option>
            <option value="1">active</option>
            <option value="0">disabled</option>
          </select>
        </label>
        <label>
          Owner
          <select aria-label="Owner" {...field('assigned')}>
            <option value="">either</option>
            <option value="1">assigned</option>
            <option value="0">unassigned</option>
          </select>
        </label>
        <PageSize
          value={pageSize}
          sizes={[10, 15, 25, 50, 100]}
          onChange={(size) => {
            setPageSize(size);
            setPage(1);
          }}
        />
        <button type="submit">Search</button>
      </form>
      <Messages error={error} notice={notice} />
      {result.tokens.length === 0 ? (
        <p>No token matches.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Serial</th>
              <th>Type</th>
              <th>Owner</th>
              <th>State</th>
              <th>Description</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {result.tokens.map((t) => (
              <tr key={t.serial} data-serial={t.serial}>
                <td>{t.serial}</td>
                <td>{t.tokentype}</td>
                <td>{t.username ? `${t.username}@${t.user_realm}` : '—'}</td>
                <td className="state">{tokenState(t)}</td>
                <td>{t.description}</td>
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
                  {t.username && (
                    <button className="small" onClick={() => act(t.serial, 'unassign')}>
                      Unassign
                    </button>
                  )}
                  <button className="small" onClick={() => showHistory(t.serial)}>
                    History
                  </button>
                  <ConfirmButton what={t.serial} onConfirm={() => act(t.serial, 'delete')} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager page={result.current || page} pageSize={pageSize} count={result.count} prev={result.prev} next={result.next} onPage={setPage} noun="token" />
      {history && <History history={history} onClose={() => setHistory(null)} />}
      {enrolling ? (
        <EnrollForUser
          realms={realms}
          onDone={() => {
            setEnrolling(false);
            reload();
          }}
        />
      ) : (
        <p>
          <button onClick={() => setEnrolling(true)}>Enroll a token for a user</button>
        </p>
      )}
    </section>
  );
}

function History({ history, onClose }) {
  const heading = useRef(null);
  useEffect(() => heading.current?.focus(), [history.serial]);
  return (
    <div className="card" role="region" aria-label={`History of ${history.serial}`}>
      <h3 ref={heading} tabIndex={-1}>
        History of {history.serial}
      </h3>
      {history.transitions.length === 0 ? (
        <p>No change of its rollout state is recorded.</p>
      ) : (
        <>
          <table>
            <thead>
              <tr>
                <th>When</th>
                <th>From</th>
                <th>To</th>
                <th>By</th>
                <th>Reason</th>
              </tr>
            </thead>
            <tbody>
              {history.transitions.map((t, i) => (
                <tr key={i}>
                  <td>{localTime(t.time)}</td>
                  <td>{t.from || '—'}</td>
                  <td>{t.to}</td>
                  <td>{t.actor}</td>
                  <td>{t.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="hint">Times are local ({timeZone()}).</p>
        </>
      )}
      <button onClick={onClose}>Close the history</button>
    </div>
  );
}

// Who gets the token and of which type; then the user's own enrollment forms, for them.
function EnrollForUser({ realms, onDone }) {
  const [choice, setChoice] = useState({ realm: '', user: '', type: 'totp', ca: '', profile: '' });
  const [users, setUsers] = useState([]);
  const [connectors, setConnectors] = useState([]);
  const [started, setStarted] = useState(false);
  const [error, setError] = useState('');

  useEffect(() => {
    if (!choice.realm) return setUsers([]);
    let ignore = false; // set once another realm is chosen: its users win
    call('GET', '/user/', { realm: choice.realm })
      .then((body) => {
        if (!ignore) setUsers(body.result.value.map((u) => u.username));
      })
      .catch((e) => {
        if (!ignore) setError(e.message);
      });
    return () => {
      ignore = true;
    };
  }, [choice.realm]);
  useEffect(() => {
    if (choice.type !== 'certificate' && choice.type !== 'smartcard') return;
    call('GET', '/caconnector/')
      .then((body) => setConnectors(body.result.value))
      .catch((e) => setError(e.message));
  }, [choice.type]);

  if (started) {
    const who = { user: choice.user, realm: choice.realm, onDone };
    return (
      <div className="card">
        <h3>
          {choice.type.toUpperCase()} token for {choice.user}@{choice.realm}
        </h3>
        {choice.type === 'certificate' ? (
          <EnrollCertificate {...who} ca={choice.ca} profile={choice.profile} />
        ) : choice.type === 'smartcard' ? (
          <EnrollSmartcard {...who} ca={choice.ca} profile={choice.profile} />
        ) : (
          <EnrollTotp {...who} type={choice.type} />
        )}
        <p>
          <button className="link" onClick={onDone}>
            Close
          </button>
        </p>
      </div>
    );
  }
  const set = (key) => (e) =>
    setChoice({ ...choice, [key]: e.target.value, ...(key === 'realm' ? { user: '' } : {}), ...(key === 'ca' ? { profile: '' } : {}) });
  const profiles = Object.keys(connectors.find((c) => c.connectorname === choice.ca)?.templates || {});
  return (
    <form
      className="card"
      aria-label="Enroll a token for a user"
      onSubmit={(e) => {
        e.preventDefault();
        setStarted(true);
      }}
    >
      <h3>Enroll a token for a user</h3>
      <label>
        Realm of the user
        <select aria-label="Realm of the user" value={choice.realm} onChange={set('realm')} required>
          <option value="">choose…</option>
          {realms.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </label>
      <label>
        User
        <select aria-label="User" value={choice.user} onChange={set('user')} required>
          <option value="">choose…</option>
          {users.map((u) => (
            <option key={u}>{u}</option>
          ))}
        </select>
      </label>
      <label>
        Token type
        <select aria-label="Token type" value={choice.type} onChange={set('type')}>
          <option value="totp">TOTP (time-based app)</option>
          <option value="hotp">HOTP (event-based app)</option>
          <option value="certificate">certificate</option>
          <option value="smartcard">smart card (enroll on behalf)</option>
        </select>
      </label>
      {(choice.type === 'certificate' || choice.type === 'smartcard') && (
        <>
          <label>
            CA connector
            <select aria-label="CA connector" value={choice.ca} onChange={set('ca')}>
              <option value="">the only one</option>
              {connectors.map((c) => (
                <option key={c.connectorname}>{c.connectorname}</option>
              ))}
            </select>
          </label>
          <label>
            Certificate profile
            <select aria-label="Certificate profile" value={choice.profile} onChange={set('profile')} disabled={!choice.ca}>
              <option value="">the only one</option>
              {profiles.map((p) => (
                <option key={p}>{p}</option>
              ))}
            </select>
          </label>
        </>
      )}
      {error && <p role="alert" className="error">{error}</p>}
      <span className="pair">
        <button type="submit">Continue</button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </span>
    </form>
  );
}
