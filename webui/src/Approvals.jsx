import { useEffect, useState } from 'react';
import { call } from './api.js';
import Messages from './Messages.jsx';

// The admins' queue: certificates waiting for a decision (pending, review, failed), each
// approved or denied with a reason.
export default function Approvals() {
  const [tokens, setTokens] = useState([]);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');

  async function load() {
    try {
      const body = await call('GET', '/token/', { rollout_state: 'pending,review,failed', pagesize: 100 });
      setTokens(body.result.value.tokens);
    } catch (e) {
      setError(e.message);
    }
  }
  useEffect(() => {
    load();
  }, []);

  async function decide(serial, approve, reason) {
    setError('');
    setNotice('');
    try {
      await call('POST', `/token/${approve ? 'approve' : 'deny'}/${serial}`, reason ? { reason } : {});
      setNotice(`${serial} ${approve ? 'approved' : 'denied'}.`);
      await load();
    } catch (e) {
      setError(e.message);
    }
  }

  return (
    <section>
      <h1>Certificates waiting for a decision</h1>
      <Messages error={error} notice={notice} />
      {tokens.length === 0 ? (
        <p>Nothing waits.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Serial</th>
              <th>User</th>
              <th>State</th>
              <th>Subject or request</th>
              <th>Decision</th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <Row key={t.serial} token={t} decide={decide} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

// What the CSR asks for, for the approver to read before deciding.
function RequestSummary({ summary }) {
  return (
    <dl className="settings request-summary" aria-label="What the request asks for">
      <div>
        <dt>Key</dt>
        <dd>{summary.key}</dd>
      </div>
      <div>
        <dt>Subject asked</dt>
        <dd>{summary.subject || '(none)'}</dd>
      </div>
      <div>
        <dt>Names asked</dt>
        <dd>{summary.names?.length ? summary.names.join(', ') : '(none)'}</dd>
      </div>
    </dl>
  );
}

function Row({ token, decide }) {
  const [reason, setReason] = useState('');
  const info = token.info || {};
  return (
    <tr data-serial={token.serial}>
      <td>{token.serial}</td>
      <td>
        {token.username}@{token.user_realm}
      </td>
      <td className="state">{token.rollout_state}</td>
      <td className="request">
        {info.subject || `${info.ca || ''} / ${info.profile || ''}`}
        {info.request_summary && <RequestSummary summary={info.request_summary} />}
      </td>
      <td className="actions">
        <input aria-label={`Reason for ${token.serial}`} placeholder="reason" value={reason} onChange={(e) => setReason(e.target.value)} />{' '}
        <button className="small" onClick={() => decide(token.serial, true, reason)}>
          Approve
        </button>
        <button className="small" onClick={() => decide(token.serial, false, reason)}>
          Deny
        </button>
      </td>
    </tr>
  );
}
