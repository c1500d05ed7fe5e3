import { useEffect, useState } from 'react';
import { call } from './api.js';
import Pager, { PageSize } from './Pager.jsx';
import { localTime, timeZone } from './time.js';

// The audit log, newest first, searched with the filters GET /audit/ knows (each an exact
// match, and a time range) and read a page at a time. Times are the browser's local time, in the
// filters as in the table. "User" is whose object it was; "Asked by" is who asked: an
// administrator, or a user (who may have tried someone else's token).
const NO_FILTER = { action: '', user: '', realm: '', serial: '', administrator: '', actor_user: '', success: '', from: '', to: '' };
const COMMON_ACTIONS = [
  'POST /auth',
  'POST /validate/check',
  'POST /token/init',
  'POST /token/enable/<serial>',
  'POST /token/disable/<serial>',
  'POST /token/revoke/<serial>',
  'POST /token/unassign/<serial>',
  'DELETE /token/<serial>',
  'POST /token/approve/<serial>',
  'POST /token/deny/<serial>',
  'POST /event/',
  'POST /caconnector/<name>',
];

export default function AuditLog() {
  const [filter, setFilter] = useState(NO_FILTER);
  const [query, setQuery] = useState(NO_FILTER);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(25);
  const [result, setResult] = useState({ auditdata: [], count: 0, next: null, prev: null });
  const [error, setError] = useState('');

  useEffect(() => {
    const params = { page, page_size: pageSize };
    const { from, to, ...exact } = query;
    for (const [key, value] of Object.entries(exact)) if (value !== '') params[key] = value;
    // datetime-local values are local times; the server takes Unix seconds.
    if (from) params.since = Math.floor(new Date(from).getTime() / 1000);
    if (to) params.until = Math.floor(new Date(to).getTime() / 1000) + 60; // the whole minute
    let ignore = false; // set once a newer search or page is asked for: its answer wins
    call('GET', '/audit/', params)
      .then((body) => {
        if (ignore) return;
        setError('');
        setResult(body.result.value);
      })
      .catch((e) => {
        if (!ignore) setError(e.message);
      });
    return () => {
      ignore = true;
    };
  }, [query, page, pageSize]);

  function search(event) {
    event.preventDefault();
    setQuery({ ...filter });
    setPage(1);
  }

  const text = (key, label, extra = {}) => (
    <label>
      {label} <input value={filter[key]} onChange={(e) => setFilter({ ...filter, [key]: e.target.value })} {...extra} />
    </label>
  );
  const actions = [...new Set([...COMMON_ACTIONS, ...result.auditdata.map((e) => e.action)])].sort();

  return (
    <section>
      <h1>Audit log</h1>
      <form className="card filters" onSubmit={search} aria-label="Search the audit log">
        {text('action', 'Action', { list: 'audit-actions', placeholder: 'POST /token/init' })}
        <datalist id="audit-actions">
          {actions.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
        {text('user', 'User')}
        {text('realm', 'Realm')}
        {text('serial', 'Serial')}
        {text('administrator', 'Administrator')}
        {text('actor_user', 'Asked by user')}
        {text('from', 'From', { type: 'datetime-local' })}
        {text('to', 'To', { type: 'datetime-local' })}
        <label>
          Outcome
          <select aria-label="Outcome" value={filter.success} onChange={(e) => setFilter({ ...filter, success: e.target.value })}>
            <option value="">either</option>
            <option value="1">succeeded</option>
            <option value="0">failed</option>
          </select>
        </label>
        <PageSize
          value={pageSize}
          sizes={[10, 25, 50, 100, 500]}
          onChange={(size) => {
            setPageSize(size);
            setPage(1);
          }}
        />
        <button type="submit">Search</button>
      </form>
      <p className="hint">Each filter matches exactly. Times are local ({timeZone()}).</p>
      {error && <p role="alert" className="error">{error}</p>}
      {result.auditdata.length === 0 ? (
        <p>No audit entry matches.</p>
      ) : (
        <table className="audit">
          <thead>
            <tr>
              <th>#</th>
              <th>Time</th>
              <th>Action</th>
              <th>Outcome</th>
              <th>Serial</th>
              <th>User</th>
              <th>Asked by</th>
              <th>Client</th>
              <th>Information</th>
            </tr>
          </thead>
          <tbody>
            {result.auditdata.map((e) => (
              <tr key={e.number} data-number={e.number}>
                <td>{e.number}</td>
                <td>{localTime(e.date)}</td>
                <td className="action">{e.action}</td>
                <td className={e.success ? '' : 'error'}>{e.success ? 'ok' : 'failed'}</td>
                <td>
                  {e.serial}
                  {e.token_type ? ` (${e.token_type})` : ''}
                </td>
                <td>{e.user ? `${e.user}${e.realm ? '@' + e.realm : ''}` : ''}</td>
                <td>{e.administrator ? `${e.administrator} (administrator)` : e.actor_user ? `${e.actor_user}${e.actor_realm ? '@' + e.actor_realm : ''}` : ''}</td>
                <td>{e.client}</td>
                <td>{e.info}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager page={result.current || page} pageSize={pageSize} count={result.count} prev={result.prev} next={result.next} onPage={setPage} noun="entry" plural="entries" />
    </section>
  );
}
