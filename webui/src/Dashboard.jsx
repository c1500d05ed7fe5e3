import { useEffect, useState } from 'react';
import { call } from './api.js';
import { localTime } from './time.js';

// What an admin takes in at a glance: checks per minute over the last hour (accepted and
// rejected), tokens by type and state, and certificates that expire soon. Refreshed every 30 s.
const stateColours = {
  enrolled: '#2e7d32',
  pending: '#f0b429',
  review: '#e07b00',
  verify: '#7b61c4',
  disabled: '#8a94a8',
  locked: '#b3261e',
  revoked: '#4a1f1f',
  denied: '#6d4c41',
  failed: '#c2185b',
};

function ChecksChart({ checks }) {
  const minutes = checks.minutes;
  const highest = Math.max(1, ...minutes.map((m) => m.accepted + m.rejected));
  const width = 600,
    height = 160,
    bar = width / minutes.length;
  const y = (n) => (n / highest) * (height - 10);
  const clock = (t) => localTime(t).slice(11, 16); // HH:MM
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${width} ${height + 1}`}
        role="img"
        aria-label={`Checks in the last hour: ${checks.accepted} accepted, ${checks.rejected} rejected; at most ${highest} in a minute`}
      >
        <line x1="0" x2={width} y1={height} y2={height} stroke="#b7c0d4" />
        {minutes.map((m, i) => (
          <g key={m.time}>
            <title>{`${clock(m.time)}: ${m.accepted} accepted, ${m.rejected} rejected`}</title>
            <rect x={i * bar + 1} width={bar - 2} y={height - y(m.accepted)} height={y(m.accepted)} fill="#2e7d32" />
            <rect
              x={i * bar + 1}
              width={bar - 2}
              y={height - y(m.accepted) - y(m.rejected)}
              height={y(m.rejected)}
              fill="#b3261e"
            />
          </g>
        ))}
      </svg>
      {/* The axis in HTML, not in the SVG: text there would shrink with a narrow screen. */}
      <div className="axis" aria-hidden="true">
        <span>{clock(minutes[0].time)}</span>
        <span>at most {highest}/min</span>
        <span>{clock(minutes[minutes.length - 1].time)}</span>
      </div>
      <figcaption>
        <span className="swatch" style={{ background: '#2e7d32' }} /> accepted <strong>{checks.accepted}</strong>{' '}
        <span className="swatch" style={{ background: '#b3261e' }} /> rejected <strong>{checks.rejected}</strong>
      </figcaption>
    </figure>
  );
}

function TokensChart({ tokens }) {
  const types = [...new Set(tokens.map((t) => t.type))];
  const states = [...new Set(tokens.map((t) => t.state))];
  const total = (type) => tokens.filter((t) => t.type === type).reduce((n, t) => n + t.count, 0);
  const widest = Math.max(1, ...types.map(total));
  if (types.length === 0) return <p>No tokens yet.</p>;
  return (
    <figure className="chart">
      <table className="bars">
        <tbody>
          {types.map((type) => (
            <tr key={type}>
              <th scope="row">{type}</th>
              <td>
                <div className="stack" style={{ width: `${(total(type) / widest) * 100}%` }}>
                  {tokens
                    .filter((t) => t.type === type)
                    .map((t) => (
                      <span
                        key={t.state}
                        title={`${t.count} ${t.state}`}
                        style={{ flexGrow: t.count, background: stateColours[t.state] || '#4a5b7d' }}
                      />
                    ))}
                </div>
              </td>
              <td className="count" aria-label={tokens.filter((t) => t.type === type).map((t) => `${t.count} ${t.state}`).join(', ')}>
                {total(type)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <figcaption>
        {states.map((s) => (
          <span key={s} className="legend">
            <span className="swatch" style={{ background: stateColours[s] || '#4a5b7d' }} /> {s}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

// What an admin of a bare server does first: a realm for the users, a CA for certificates.
// Each missing one is named with the button that goes there (not an empty table).
function FirstSteps({ go }) {
  const [missing, setMissing] = useState([]);
  useEffect(() => {
    Promise.all([call('GET', '/realm/'), call('GET', '/caconnector/')])
      .then(([realms, cas]) => {
        const steps = [];
        if (Object.keys(realms.result.value).length === 0)
          steps.push(['Realms', 'Create a realm', 'Users log in to a realm: make one with a resolver (the built-in user store, or LDAP).']);
        if (cas.result.value.length === 0)
          steps.push(['CA connectors', 'Add a CA', 'Certificates come from a CA connector: a local CA takes one click.']);
        setMissing(steps);
      })
      .catch(() => setMissing([])); // an admin without those rights sees the figures only
  }, []);
  if (missing.length === 0) return null;
  return (
    <section className="card first-steps" aria-label="First steps">
      <h3>First steps</h3>
      {missing.map(([page, action, text]) => (
        <p key={page}>
          {text} <button onClick={() => go(page)}>{action}</button>
        </p>
      ))}
    </section>
  );
}

export default function Dashboard({ go }) {
  const [figures, setFigures] = useState(null);
  const [error, setError] = useState('');

  useEffect(() => {
    let stopped = false;
    async function load() {
      try {
        const body = await call('GET', '/statistics/');
        if (!stopped) {
          setFigures(body.result.value);
          setError('');
        }
      } catch (e) {
        if (!stopped) setError(e.message);
      }
    }
    load();
    const timer = setInterval(load, 30000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);

  return (
    <section>
      <h1>Dashboard</h1>
      {go && <FirstSteps go={go} />}
      {error && <p role="alert" className="error">{error}</p>}
      {figures && (
        <div className="dashboard">
          <div className="card wide">
            <h3>Checks per minute</h3>
            <ChecksChart checks={figures.checks} />
          </div>
          <div className="card">
            <h3>Tokens by type and state</h3>
            <TokensChart tokens={figures.tokens} />
          </div>
          <div className="card">
            <h3>Certificates expiring</h3>
            <dl className="tiles">
              {['30', '60', '90'].map((days) => (
                <div key={days}>
                  <dt>within {days} days</dt>
                  <dd data-days={days}>{figures.certificates_expiring[days]}</dd>
                </div>
              ))}
            </dl>
          </div>
        </div>
      )}
    </section>
  );
}
