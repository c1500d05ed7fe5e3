import { useEffect, useRef, useState } from 'react';
import { call } from './api.js';
import { ConfirmButton, focusFirst, resetForm, useActions } from './AdminParts.jsx';
import Messages from './Messages.jsx';

// Policies as in eduMFA: a scope, actions ("name=value, name2"), and whom they apply to
// (realms, resolvers, users, admins, client networks; empty matches all). The server checks
// scope and actions and answers with the ones it knows. Saving under an existing name replaces
// that policy; enabling or disabling changes nothing else.
const scopes = ['admin', 'user', 'enrollment', 'authentication', 'webui', 'register'];
const conditions = [
  ['realm', 'Realms'],
  ['resolver', 'Resolvers'],
  ['user', 'Users'],
  ['adminuser', 'Admins'],
  ['client', 'Clients'],
];
const emptyForm = { name: '', scope: 'authentication', action: '', realm: '', resolver: '', user: '', adminuser: '', client: '', priority: 1, active: true, editing: false };

export default function Policies() {
  const { error, setError, notice, setNotice, act } = useActions(load);
  const [policies, setPolicies] = useState([]);
  const [form, setForm] = useState(emptyForm);
  const [defs, setDefs] = useState({}); // scope -> the actions the server knows
  const formRef = useRef(null);

  async function load() {
    try {
      setPolicies((await call('GET', '/policy/')).result.value);
    } catch (e) {
      setError(e.message);
    }
  }
  useEffect(() => {
    load();
    call('GET', '/policy/defs')
      .then((body) => setDefs(body.result.value))
      .catch((e) => setError(e.message));
  }, []);

  // Adds a known action to the form's list (value actions get "=" to be completed).
  const addAction = (name) => {
    const withValue = form.scope === 'enrollment' || form.scope === 'authentication' || form.scope === 'webui' || form.scope === 'register' ? name + '=' : name;
    setForm({ ...form, action: form.action.trim() ? `${form.action.trim()}, ${withValue}` : withValue });
  };

  const save = (p) => {
    // The version read with the policy (0: a new one): saving over another admin's change is
    // refused (409) instead of undoing it.
    const { name, editing, version, ...params } = p;
    return call('POST', `/policy/${encodeURIComponent(name)}`, { ...params, priority: Number(params.priority), version: editing ? version : 0 });
  };

  async function submit(event) {
    event.preventDefault();
    if (await act(() => save(form), `Policy ${form.name} saved.`)) setForm(emptyForm);
  }

  return (
    <section>
      <h1>Policies</h1>
      {policies.length === 0 ? (
        <p>No policy yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Scope</th>
              <th>Action</th>
              <th>Applies to</th>
              <th>Priority</th>
              <th>Active</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {policies.map((p) => (
              <tr key={p.name} data-policy={p.name}>
                <td>{p.name}</td>
                <td>{p.scope}</td>
                <td><code>{p.action}</code></td>
                <td>
                  {conditions.filter(([key]) => p[key]).map(([key, label]) => `${label.toLowerCase()}: ${p[key]}`).join('; ') || 'all'}
                </td>
                <td>{p.priority}</td>
                <td>{p.active ? 'yes' : 'no'}</td>
                <td className="actions">
                  <button
                    className="small"
                    aria-label={`Edit ${p.name}`}
                    onClick={() => {
                      setError('');
                      setNotice('');
                      setForm({ ...emptyForm, ...p, editing: true });
                      focusFirst(formRef);
                    }}
                  >
                    Edit
                  </button>
                  <button
                    className="small"
                    aria-label={`${p.active ? 'Disable' : 'Enable'} ${p.name}`}
                    onClick={() => act(() => call('POST', `/policy/${p.active ? 'disable' : 'enable'}/${encodeURIComponent(p.name)}`), `Policy ${p.name} ${p.active ? 'disabled' : 'enabled'}.`)}
                  >
                    {p.active ? 'Disable' : 'Enable'}
                  </button>
                  <ConfirmButton what={p.name} onConfirm={() => act(() => call('DELETE', `/policy/${encodeURIComponent(p.name)}`), `Policy ${p.name} deleted.`)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Messages error={error} notice={notice} />
      <form ref={formRef} className="card" onSubmit={submit} aria-label="Policy">
        <h3>{form.editing ? `Edit policy ${form.name}` : 'New policy'}</h3>
        <label>
          Policy name
          <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} readOnly={form.editing} required />
        </label>
        <label>
          Scope
          <select value={form.scope} onChange={(e) => setForm({ ...form, scope: e.target.value })}>
            {scopes.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Action <span className="hint">name=value, name2 (e.g. otppin=userstore, max_fail=5)</span>
          <input value={form.action} onChange={(e) => setForm({ ...form, action: e.target.value })} required />
        </label>
        {defs[form.scope] && (
          <div className="known-actions" role="group" aria-label={`Actions of scope ${form.scope}`}>
            <span className="hint">Add:</span>
            {defs[form.scope].map((name) => (
              <button key={name} type="button" className="chip" onClick={() => addAction(name)}>
                {name}
              </button>
            ))}
          </div>
        )}
        {conditions.map(([key, label]) => (
          <label key={key}>
            {label} <span className="hint">{key === 'client' ? 'IP addresses or networks, comma-separated' : key === 'adminuser' ? 'admin scope only; comma-separated' : 'comma-separated'}; empty: all</span>
            <input value={form[key]} onChange={(e) => setForm({ ...form, [key]: e.target.value })} />
          </label>
        ))}
        <label>
          Priority <span className="hint">1 to 1000; the lowest number wins</span>
          <input type="number" min="1" max="1000" value={form.priority} onChange={(e) => setForm({ ...form, priority: e.target.value })} required />
        </label>
        <label className="choice">
          <input type="checkbox" checked={form.active} onChange={(e) => setForm({ ...form, active: e.target.checked })} /> Active
        </label>
        <span className="buttons">
          <button type="submit">Save the policy</button>
          {form.editing && (
            <button type="button" className="small" onClick={() => resetForm(setForm, emptyForm, setError, setNotice)}>
              New policy instead
            </button>
          )}
        </span>
      </form>
    </section>
  );
}
