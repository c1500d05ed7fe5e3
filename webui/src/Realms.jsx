import { useEffect, useRef, useState } from 'react';
import { call } from './api.js';
import { ConfirmButton, focusFirst, resetForm, useActions } from './AdminParts.jsx';
import Messages from './Messages.jsx';

// Realms: named groups of resolvers, searched in the order chosen here. The default realm is
// the one a login or a request without a realm uses.
const emptyForm = { name: '', resolvers: [], editing: false };

export default function Realms() {
  const { error, setError, notice, setNotice, act } = useActions(load);
  const [realms, setRealms] = useState([]);
  const [resolvers, setResolvers] = useState([]);
  const [form, setForm] = useState(emptyForm);
  const formRef = useRef(null);

  async function load() {
    try {
      const [realm, resolver] = await Promise.all([call('GET', '/realm/'), call('GET', '/resolver/')]);
      setRealms(Object.entries(realm.result.value));
      setResolvers(Object.values(resolver.result.value));
    } catch (e) {
      setError(e.message);
    }
  }
  useEffect(() => {
    load();
  }, []);

  // Ticking appends a resolver, so the order of ticking is the search order.
  function toggle(name, on) {
    const rest = form.resolvers.filter((r) => r !== name);
    setForm({ ...form, resolvers: on ? [...rest, name] : rest });
  }

  async function submit(event) {
    event.preventDefault();
    if (form.resolvers.length === 0) {
      setError('Choose at least one resolver.');
      setNotice('');
      return;
    }
    const ok = await act(
      // The list order is the priority; the version read with the realm (0: a new one) keeps a
      // stale form from undoing another admin's change.
      () => call('POST', `/realm/${encodeURIComponent(form.name)}`, { resolvers: form.resolvers.join(','), version: form.editing ? form.version : 0 }),
      `Realm ${form.name} saved.`,
    );
    if (ok) setForm(emptyForm);
  }

  return (
    <section>
      <h1>Realms</h1>
      {realms.length === 0 ? (
        <p>No realm yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Resolvers (in search order)</th>
              <th>Default</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {realms.map(([name, realm]) => (
              <tr key={name} data-realm={name}>
                <td>{name}</td>
                <td>{realm.resolver.map((r) => `${r.name} (${r.type || 'missing'})`).join(', ')}</td>
                <td>
                  {realm.default ? (
                    'default'
                  ) : (
                    <button
                      className="small"
                      aria-label={`Make ${name} the default realm`}
                      onClick={() => act(() => call('POST', `/defaultrealm/${encodeURIComponent(name)}`), `${name} is the default realm.`)}
                    >
                      Make default
                    </button>
                  )}
                </td>
                <td className="actions">
                  <button
                    className="small"
                    aria-label={`Edit ${name}`}
                    onClick={() => {
                      setError('');
                      setNotice('');
                      setForm({ name, resolvers: realm.resolver.map((r) => r.name), editing: true, version: realm.version });
                      focusFirst(formRef);
                    }}
                  >
                    Edit
                  </button>
                  <ConfirmButton what={name} onConfirm={() => act(() => call('DELETE', `/realm/${encodeURIComponent(name)}`), `Realm ${name} deleted.`)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Messages error={error} notice={notice} />
      <form ref={formRef} className="card" onSubmit={submit} aria-label="Realm">
        <h3>{form.editing ? `Edit realm ${form.name}` : 'New realm'}</h3>
        <label>
          Realm name
          <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} readOnly={form.editing} required />
        </label>
        <fieldset>
          <legend>Resolvers (searched in the order ticked)</legend>
          {resolvers.length === 0 && <p className="hint">Create a resolver first.</p>}
          {resolvers.map((r) => {
            const position = form.resolvers.indexOf(r.resolvername);
            return (
              <label key={r.resolvername} className="choice">
                <input type="checkbox" checked={position >= 0} onChange={(e) => toggle(r.resolvername, e.target.checked)} />
                {r.resolvername} ({r.type}){position >= 0 && <span className="hint">#{position + 1}</span>}
              </label>
            );
          })}
        </fieldset>
        <span className="buttons">
          <button type="submit">Save the realm</button>
          {form.editing && (
            <button type="button" className="small" onClick={() => resetForm(setForm, emptyForm, setError, setNotice)}>
              New realm instead
            </button>
          )}
        </span>
      </form>
    </section>
  );
}
