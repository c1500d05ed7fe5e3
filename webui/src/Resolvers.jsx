import { useEffect, useRef, useState } from 'react';
import { call } from './api.js';
import { ConfirmButton, focusFirst, resetForm, useActions } from './AdminParts.jsx';
import Messages from './Messages.jsx';

// Resolvers: where users come from. "sql" is the built-in user store (no settings); "ldap"
// reads a directory with a service account. The server never shows the bind password: left
// empty on an update, the stored one is kept (for the same server and account).
const types = [
  ['sql', 'sql: built-in user store'],
  ['ldap', 'ldap: LDAP directory (read-only)'],
];
const fields = ['givenname', 'surname', 'email', 'phone', 'mobile', 'organization', 'department'];
const emptyLdap = {
  uri: '',
  base_dn: '',
  bind_dn: '',
  bind_password: '',
  login_attribute: 'uid',
  user_filter: '(objectClass=inetOrgPerson)',
  start_tls: false,
  ca_file: '',
  timeout_seconds: 5,
  attributes: {
    givenname: 'givenName',
    surname: 'sn',
    email: 'mail',
    phone: 'telephoneNumber',
    mobile: 'mobile',
    organization: 'o',
    department: 'ou',
  },
};
const emptyForm = { name: '', type: 'sql', editing: false, passwordStored: false, ldap: emptyLdap };

function summary(r) {
  if (r.type !== 'ldap') return 'built-in user store';
  const d = r.data || {};
  const bind = d.bind_dn ? `${d.bind_dn}${d.bind_password ? ' (password set)' : ''}` : 'anonymous';
  return `${d.uri} · base ${d.base_dn} · bind ${bind} · login ${d.login_attribute} · ${d.user_filter}` +
    (d.start_tls ? ' · StartTLS' : '') + (d.ca_file ? ` · CA ${d.ca_file}` : '');
}

export default function Resolvers() {
  const { error, setError, notice, setNotice, act } = useActions(load);
  const [resolvers, setResolvers] = useState([]);
  const [form, setForm] = useState(emptyForm);
  const formRef = useRef(null);

  async function load() {
    try {
      setResolvers(Object.values((await call('GET', '/resolver/')).result.value));
    } catch (e) {
      setError(e.message);
    }
  }
  useEffect(() => {
    load();
  }, []);

  function edit(r) {
    setError('');
    setNotice('');
    const d = r.data || {};
    setForm({
      name: r.resolvername,
      type: r.type,
      editing: true,
      version: r.version,
      passwordStored: Boolean(d.bind_password),
      ldap: { ...emptyLdap, ...d, bind_password: '', attributes: { ...emptyLdap.attributes, ...(d.attributes || {}) } },
    });
    focusFirst(formRef);
  }

  async function submit(event) {
    event.preventDefault();
    // The version read with the resolver (0: a new one): a save over another admin's change is
    // refused (409) instead of undoing it.
    const params = { type: form.type, version: form.editing ? form.version : 0 };
    if (form.type === 'ldap') {
      const { bind_password, attributes, timeout_seconds, ...rest } = form.ldap;
      Object.assign(params, rest, { timeout_seconds: Number(timeout_seconds) });
      // Every field is sent: an emptied one is "not read from the directory", not "the default".
      params.attributes = attributes;
      if (bind_password) params.bind_password = bind_password;
    }
    const ok = await act(() => call('POST', `/resolver/${encodeURIComponent(form.name)}`, params), `Resolver ${form.name} saved.`);
    if (ok) setForm(emptyForm);
  }

  const ldap = form.ldap;
  const setLdap = (key, value) => setForm({ ...form, ldap: { ...ldap, [key]: value } });
  const text = (key, label, hint, required = false) => (
    <label key={key}>
      {label} {hint && <span className="hint">{hint}</span>}
      <input value={ldap[key]} onChange={(e) => setLdap(key, e.target.value)} required={required} />
    </label>
  );

  return (
    <section>
      <h1>Resolvers</h1>
      {resolvers.length === 0 ? (
        <p>No resolver yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Type</th>
              <th>Configuration</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {resolvers.map((r) => (
              <tr key={r.resolvername} data-resolver={r.resolvername}>
                <td>{r.resolvername}</td>
                <td>{r.type}</td>
                <td className="summary">{summary(r)}</td>
                <td className="actions">
                  <button className="small" aria-label={`Edit ${r.resolvername}`} onClick={() => edit(r)}>
                    Edit
                  </button>
                  <ConfirmButton
                    what={r.resolvername}
                    note={r.type === 'sql' ? 'and all its users' : ''}
                    onConfirm={() => act(() => call('DELETE', `/resolver/${encodeURIComponent(r.resolvername)}`, r.type === 'sql' ? { delete_users: 1 } : undefined), `Resolver ${r.resolvername} deleted.`)}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Messages error={error} notice={notice} />
      <form ref={formRef} className="card" onSubmit={submit} aria-label="Resolver">
        <h3>{form.editing ? `Edit resolver ${form.name}` : 'New resolver'}</h3>
        <label>
          Resolver name
          <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} readOnly={form.editing} required />
        </label>
        <label>
          Type
          <select value={form.type} onChange={(e) => setForm({ ...form, type: e.target.value })} disabled={form.editing}>
            {types.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        {form.type === 'sql' && <p className="hint">The built-in store has no settings: its users are managed on the Users page.</p>}
        {form.type === 'ldap' && (
          <>
            {text('uri', 'Server URI', 'ldap://host:389 or ldaps://host:636', true)}
            {text('base_dn', 'Base DN', 'where users are searched', true)}
            {text('bind_dn', 'Bind DN', 'service account; empty: anonymous search')}
            <label>
              Bind password{' '}
              <span className="hint">
                {form.passwordStored ? 'stored; leave empty to keep it (give it again if URI, bind DN, StartTLS or CA file change)' : 'for the bind DN'}
              </span>
              <input type="password" autoComplete="new-password" value={ldap.bind_password} onChange={(e) => setLdap('bind_password', e.target.value)} />
            </label>
            {text('login_attribute', 'Login attribute', 'e.g. uid, sAMAccountName')}
            {text('user_filter', 'User filter', 'an LDAP filter in parentheses')}
            <label className="choice">
              <input type="checkbox" checked={ldap.start_tls} onChange={(e) => setLdap('start_tls', e.target.checked)} /> StartTLS
            </label>
            {text('ca_file', 'CA file', 'PEM file on the server; empty: the system CAs')}
            <label>
              Timeout (seconds)
              <input type="number" min="1" max="60" value={ldap.timeout_seconds} onChange={(e) => setLdap('timeout_seconds', e.target.value)} />
            </label>
            <fieldset>
              <legend>Attribute mapping (user field → LDAP attribute)</legend>
              {fields.map((f) => (
                <label key={f} className="mapping">
                  {f}
                  <input value={ldap.attributes[f]} onChange={(e) => setLdap('attributes', { ...ldap.attributes, [f]: e.target.value })} />
                </label>
              ))}
            </fieldset>
          </>
        )}
        <span className="buttons">
          <button type="submit">Save the resolver</button>
          {form.editing && (
            <button type="button" className="small" onClick={() => resetForm(setForm, emptyForm, setError, setNotice)}>
              New resolver instead
            </button>
          )}
        </span>
      </form>
    </section>
  );
}
