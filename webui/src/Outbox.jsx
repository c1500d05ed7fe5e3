import { useEffect, useState } from 'react';
import { call } from './api.js';
import { localTime, timeZone } from './time.js';
import Messages from './Messages.jsx';
import Pager, { PageSize } from './Pager.jsx';

// The event handlers' deliveries (newest first): by default the dead ones, which gave up after
// their last attempt and wait for an admin to send them again.
const STATES = [
  ['dead', 'dead (gave up)'],
  ['pending', 'pending (waiting for an attempt)'],
  ['delivering', 'delivering'],
  ['delivered', 'delivered'],
  ['', 'all'],
];

export default function Outbox() {
  const [state, setState] = useState('dead');
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(25);
  const [result, setResult] = useState({ deliveries: [], count: 0, next: null, prev: null });
  const rows = result.deliveries;
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [reloads, setReloads] = useState(0); // counted up to read the list again

  useEffect(() => {
    const params = { page, page_size: pageSize };
    if (state) params.state = state;
    let ignore = false; // set once a newer load starts: only its answer is shown
    call('GET', '/event/outbox', params)
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
  }, [state, page, pageSize, reloads]);
  const reload = () => setReloads((n) => n + 1);

  async function retry(id) {
    setError('');
    setNotice('');
    try {
      await call('POST', `/event/outbox/retry/${id}`);
      setNotice(`Delivery ${id} will be sent again.`);
      reload();
    } catch (e) {
      setError(e.message);
    }
  }

  const when = (seconds) => (seconds > 0 ? localTime(seconds) : '—');
  return (
    <section>
      <h1>Outbox</h1>
      <div className="card filters">
        <label>
          State
          <select
            aria-label="State"
            value={state}
            onChange={(e) => {
              setState(e.target.value);
              setPage(1);
            }}
          >
            {STATES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <PageSize
          value={pageSize}
          sizes={[10, 25, 100, 500]}
          onChange={(size) => {
            setPageSize(size);
            setPage(1);
          }}
        />
        <button
          onClick={() => {
            setNotice('');
            reload();
          }}
        >
          Refresh
        </button>
      </div>
      <p className="hint">Times are local ({timeZone()}). Each delivery names its event and the serial of the token it was about.</p>
      <Messages error={error} notice={notice} />
      {rows.length === 0 ? (
        <p>No delivery {state ? `is ${state}` : 'yet'}.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>#</th>
              <th>Event</th>
              <th>Handler</th>
              <th>Notifier and action</th>
              <th>State</th>
              <th>Attempts</th>
              <th>Last error</th>
              <th>Next attempt</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => (
              <tr key={d.id} data-id={d.id}>
                <td>{d.id}</td>
                <td>
                  {d.event || `#${d.event_id}`}
                  {d.serial && <div className="hint">{d.serial}</div>}
                </td>
                <td>{d.handler}</td>
                <td>
                  {d.handlermodule} / {d.action}
                </td>
                <td className="state">{d.state}</td>
                <td className="attempts">{d.attempts}</td>
                <td className="last-error">{d.last_error}</td>
                <td>{d.state === 'pending' ? when(d.next_attempt) : d.state === 'delivered' ? `done ${when(d.delivered)}` : '—'}</td>
                <td>
                  {d.state === 'dead' && (
                    <button className="small" onClick={() => retry(d.id)} aria-label={`Retry delivery ${d.id}`}>
                      Retry
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager page={result.current || page} pageSize={pageSize} count={result.count} prev={result.prev} next={result.next} onPage={setPage} noun="delivery" plural="deliveries" />
    </section>
  );
}
