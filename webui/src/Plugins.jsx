import { useEffect, useState } from 'react';
import { call } from './api.js';

// The plugins this server loaded, with their versions and what each provides (token types, CA
// connectors, notifiers), and the files it refused with the reason.
export default function Plugins() {
  const [loaded, setLoaded] = useState(null);
  const [error, setError] = useState('');

  useEffect(() => {
    call('GET', '/system/plugins')
      .then((body) => setLoaded(body.result.value))
      .catch((e) => setError(e.message));
  }, []);

  const kinds = { token_type: 'token type', ca_connector: 'CA connector', notification_action: 'notifier' };
  return (
    <section>
      <h1>Plugins</h1>
      {error && <p role="alert" className="error">{error}</p>}
      {loaded && (
        <table>
          <thead>
            <tr>
              <th>Plugin</th>
              <th>Version</th>
              <th>ABI</th>
              <th>Provides</th>
              <th>File</th>
            </tr>
          </thead>
          <tbody>
            {loaded.plugins.map((p) => (
              <tr key={p.id}>
                <td>{p.id}</td>
                <td>{p.version}</td>
                <td>{p.abi}</td>
                <td>
                  {p.components.map((c) => (
                    <div key={c.kind + c.type}>
                      <code>{c.type}</code> {kinds[c.kind] || c.kind}
                      {c.display_name && c.display_name !== c.type ? ` (${c.display_name})` : ''}
                    </div>
                  ))}
                </td>
                <td>{p.file}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {loaded?.refused.length > 0 && (
        <>
          <h3>Refused</h3>
          <ul>
            {loaded.refused.map((r) => (
              <li key={r.file} className="error">
                {r.file}: {r.reason}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
