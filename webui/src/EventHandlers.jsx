import { useEffect, useState } from 'react';
import { call } from './api.js';

// Event handlers: the list, and a form built from what the server offers: its events, the
// configured notifiers (handler modules), each one's actions and their options' schema.
export default function EventHandlers() {
  const [handlers, setHandlers] = useState([]);
  const [events, setEvents] = useState([]);
  const [modules, setModules] = useState([]);
  const [actions, setActions] = useState({});
  const [form, setForm] = useState({ name: '', event: '', position: 'post', module: '', action: '' });
  const [options, setOptions] = useState({});
  const [condition, setCondition] = useState({ name: '', value: '' });
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');

  async function load() {
    try {
      const [h, e, m] = await Promise.all([
        call('GET', '/event/'),
        call('GET', '/event/available'),
        call('GET', '/event/handlermodules'),
      ]);
      setHandlers(h.result.value);
      setEvents(e.result.value);
      setModules(m.result.value);
    } catch (e) {
      setError(e.message);
    }
  }
  useEffect(() => {
    load();
  }, []);

  async function chooseModule(module) {
    setForm({ ...form, module, action: '' });
    setOptions({});
    setActions({});
    if (!module) return;
    try {
      setActions((await call('GET', `/event/actions/${module}`)).result.value);
    } catch (e) {
      setError(e.message);
    }
  }

  async function submit(event) {
    event.preventDefault();
    setError('');
    setNotice('');
    const params = {
      name: form.name,
      event: form.event,
      position: form.position,
      handlermodule: form.module,
      action: form.action,
      options: Object.fromEntries(Object.entries(options).filter(([, v]) => v !== '')),
    };
    if (condition.name) params.conditions = { [condition.name]: condition.value };
    try {
      await call('POST', '/event/', params);
      setNotice(`Handler ${form.name} created.`);
      await load();
    } catch (e) {
      setError(e.message);
    }
  }

  const schema = actions[form.action]?.options || {};
  return (
    <section>
      <h2>Event handlers</h2>
      {handlers.length === 0 ? (
        <p>No handler yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Events</th>
              <th>Module</th>
              <th>Action</th>
              <th>Active</th>
            </tr>
          </thead>
          <tbody>
            {handlers.map((h) => (
              <tr key={h.id}>
                <td>{h.name}</td>
                <td>{h.event.join(', ')} ({h.position})</td>
                <td>{h.handlermodule}</td>
                <td>{h.action}</td>
                <td>{h.active ? 'yes' : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="card" onSubmit={submit} aria-label="New event handler">
        <h3>New handler</h3>
        <label>
          Name <input aria-label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required />
        </label>
        <label>
          Event
          <select aria-label="Event" value={form.event} onChange={(e) => setForm({ ...form, event: e.target.value })} required>
            <option value="">choose…</option>
            {events.map((e) => (
              <option key={e.name} value={e.name} title={e.description}>
                {e.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          When
          <select aria-label="When" value={form.position} onChange={(e) => setForm({ ...form, position: e.target.value })}>
            <option value="post">after the request (post)</option>
            <option value="pre">before the request (pre)</option>
          </select>
        </label>
        <label>
          Handler module
          <select aria-label="Handler module" value={form.module} onChange={(e) => chooseModule(e.target.value)} required>
            <option value="">choose…</option>
            {modules.map((m) => (
              <option key={m.name} value={m.name}>
                {m.name} ({m.type})
              </option>
            ))}
          </select>
        </label>
        {form.module && (
          <label>
            Action
            <select aria-label="Action" value={form.action} onChange={(e) => setForm({ ...form, action: e.target.value })} required>
              <option value="">choose…</option>
              {Object.entries(actions).map(([name, a]) => (
                <option key={name} value={name} title={a.description}>
                  {name}
                </option>
              ))}
            </select>
          </label>
        )}
        {Object.entries(schema).map(([key, o]) => (
          <label key={key}>
            {key}
            {o.required ? ' (required)' : ''}: <span className="hint">{o.description}</span>
            {o.type === 'choice' ? (
              <select aria-label={key} value={options[key] || ''} onChange={(e) => setOptions({ ...options, [key]: e.target.value })} required={o.required}>
                <option value="">choose…</option>
                {(o.values || []).map((v) => (
                  <option key={v} value={v}>
                    {v}
                  </option>
                ))}
              </select>
            ) : (
              <input aria-label={key} value={options[key] || ''} onChange={(e) => setOptions({ ...options, [key]: e.target.value })} required={o.required} />
            )}
          </label>
        ))}
        <label>
          Condition (optional)
          <span className="pair">
            <input aria-label="Condition name" placeholder="rollout_state" value={condition.name} onChange={(e) => setCondition({ ...condition, name: e.target.value })} />
            <input aria-label="Condition value" placeholder="pending" value={condition.value} onChange={(e) => setCondition({ ...condition, value: e.target.value })} />
          </span>
        </label>
        {error && <p role="alert" className="error">{error}</p>}
        {notice && <p role="status">{notice}</p>}
        <button type="submit">Create the handler</button>
      </form>
    </section>
  );
}
