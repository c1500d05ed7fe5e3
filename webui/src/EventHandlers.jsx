import { useEffect, useState } from 'react';
import { call } from './api.js';
import { ConfirmButton } from './AdminParts.jsx';
import Messages from './Messages.jsx';

// Event handlers: the list (each one edited, enabled or disabled, deleted after a
// confirmation), and a form built from what the server offers: its events, the configured
// notifiers (handler modules), each one's actions and their options' schema.
const EMPTY_FORM = { id: 0, name: '', event: '', position: 'post', module: '', action: '', ordering: 0, active: true };

export default function EventHandlers() {
  const [handlers, setHandlers] = useState([]);
  const [events, setEvents] = useState([]);
  const [modules, setModules] = useState([]);
  const [actions, setActions] = useState({});
  const [form, setForm] = useState(EMPTY_FORM);
  const [options, setOptions] = useState({});
  const [conditions, setConditions] = useState([]); // [{name, value}], in the form's order
  const [known, setKnown] = useState({}); // condition name -> {description, token}
  const [listMessage, setListMessage] = useState({ error: '', notice: '' }); // of the row actions
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');

  async function load() {
    try {
      const [h, e, m, c] = await Promise.all([
        call('GET', '/event/'),
        call('GET', '/event/available'),
        call('GET', '/event/handlermodules'),
        call('GET', '/event/conditions/any'), // the same for every module
      ]);
      setHandlers(h.result.value);
      setEvents(e.result.value);
      setModules(m.result.value);
      setKnown(c.result.value);
    } catch (e) {
      setError(e.message);
    }
  }
  useEffect(() => {
    load();
  }, []);

  // The chosen module's actions; a module chosen since then makes this answer stale.
  useEffect(() => {
    setActions({});
    if (!form.module) return;
    let ignore = false;
    call('GET', `/event/actions/${encodeURIComponent(form.module)}`)
      .then((body) => {
        if (!ignore) setActions(body.result.value);
      })
      .catch((e) => {
        if (!ignore) setError(e.message);
      });
    return () => {
      ignore = true;
    };
  }, [form.module]);

  function chooseModule(module) {
    setForm({ ...form, module, action: '' });
    setOptions({});
  }

  // Loads a handler into the form; saving sends its id, so the server changes that handler.
  function edit(h) {
    setError('');
    setNotice('');
    setListMessage({ error: '', notice: '' });
    setForm({
      id: h.id,
      original: h.name,
      name: h.name,
      event: h.event.join(','),
      position: h.position,
      module: h.handlermodule,
      action: h.action,
      ordering: h.ordering,
      active: h.active,
      version: h.version,
    });
    setOptions(Object.fromEntries(Object.entries(h.options).map(([k, v]) => [k, String(v)])));
    setConditions(Object.entries(h.conditions).map(([name, value]) => ({ name, value: String(value) })));
    document.querySelector('#handler-form input')?.focus();
  }

  function cancelEdit() {
    setForm(EMPTY_FORM);
    setOptions({});
    setConditions([]);
  }

  async function change(h, action) {
    setListMessage({ error: '', notice: '' });
    try {
      if (action === 'delete') await call('DELETE', `/event/${h.id}`);
      else await call('POST', `/event/${action}/${h.id}`);
      setListMessage({ error: '', notice: `Handler ${h.name} ${action}d.` });
      if (action === 'delete' && form.id === h.id) cancelEdit();
      await load();
    } catch (e) {
      setListMessage({ error: e.message, notice: '' });
    }
  }

  async function submit(event) {
    event.preventDefault();
    setError('');
    setNotice('');
    setListMessage({ error: '', notice: '' });
    const params = {
      name: form.name,
      event: form.event,
      position: form.position,
      handlermodule: form.module,
      action: form.action,
      ordering: form.ordering,
      options: Object.fromEntries(Object.entries(options).filter(([, v]) => v !== '')),
    };
    const chosen = conditions.filter((c) => c.name.trim() !== '');
    if (chosen.length) params.conditions = Object.fromEntries(chosen.map((c) => [c.name.trim(), c.value]));
    // An edit keeps the handler's id (and whether it is active).
    // The version read with it makes a save over another admin's change a 409.
    if (form.id) Object.assign(params, { id: form.id, active: form.active, version: form.version });
    try {
      await call('POST', '/event/', params);
      const saved = `Handler ${form.name} ${form.id ? 'saved' : 'created'}.`;
      if (form.id) cancelEdit();
      // Told once the list shows it, so that what is done next acts on the saved handler.
      await load();
      setNotice(saved);
    } catch (e) {
      setError(e.message);
    }
  }

  const schema = actions[form.action]?.options || {};
  return (
    <section>
      <h1>Event handlers</h1>
      {listMessage.error && <p role="alert" className="error">{listMessage.error}</p>}
      {listMessage.notice && <p role="status">{listMessage.notice}</p>}
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
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {handlers.map((h) => (
              <tr key={h.id} data-id={h.id}>
                <td>{h.name}</td>
                <td>{h.event.join(', ')} ({h.position})</td>
                <td>{h.handlermodule}</td>
                <td>{h.action}</td>
                <td className="state">{h.active ? 'yes' : 'no'}</td>
                <td className="actions">
                  <button className="small" onClick={() => edit(h)}>
                    Edit
                  </button>
                  <button className="small" onClick={() => change(h, h.active ? 'disable' : 'enable')}>
                    {h.active ? 'Disable' : 'Enable'}
                  </button>
                  <ConfirmButton what={h.name} onConfirm={() => change(h, 'delete')} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form id="handler-form" className="card" onSubmit={submit} aria-label={form.id ? `Edit event handler ${form.original}` : 'New event handler'}>
        <h3>{form.id ? `Edit handler ${form.original}` : 'New handler'}</h3>
        <label>
          Name <input aria-label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required />
        </label>
        <label>
          Event
          <select aria-label="Event" value={form.event} onChange={(e) => setForm({ ...form, event: e.target.value })} required>
            <option value="">choose…</option>
            {form.event.includes(',') && <option value={form.event}>{form.event.replaceAll(',', ', ')}</option>}
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
          Order <input aria-label="Order" type="number" min="0" value={form.ordering} onChange={(e) => setForm({ ...form, ordering: Number(e.target.value) })} />
        </label>
        <Conditions conditions={conditions} known={known} onChange={setConditions} />
        <Messages error={error} notice={notice} />
        {form.id ? (
          <span className="pair">
            <button type="submit">Save the handler</button>
            <button type="button" className="secondary" onClick={cancelEdit}>
              Cancel
            </button>
          </span>
        ) : (
          <button type="submit">Create the handler</button>
        )}
      </form>
    </section>
  );
}

// The handler's conditions, each a name the server knows (offered with its description) and a
// value; all must hold for the handler to fire.
function Conditions({ conditions, known, onChange }) {
  const set = (i, change) => onChange(conditions.map((c, j) => (j === i ? { ...c, ...change } : c)));
  return (
    <fieldset>
      <legend>Conditions (all must hold; none: always)</legend>
      <datalist id="handler-conditions">
        {Object.keys(known)
          .sort()
          .map((name) => (
            <option key={name} value={name} />
          ))}
      </datalist>
      {conditions.map((c, i) => (
        <div key={i} className="condition">
          <span className="pair">
            <input
              aria-label={`Condition ${i + 1} name`}
              list="handler-conditions"
              placeholder="rollout_state"
              value={c.name}
              onChange={(e) => set(i, { name: e.target.value })}
              autoFocus={i === conditions.length - 1 && c.name === ''}
            />
            <input
              aria-label={`Condition ${i + 1} value`}
              placeholder="pending"
              value={c.value}
              onChange={(e) => set(i, { value: e.target.value })}
            />
            <button type="button" className="small" onClick={() => onChange(conditions.filter((_, j) => j !== i))}>
              Remove condition {i + 1}
            </button>
          </span>
          {known[c.name] && <span className="hint">{known[c.name].description}</span>}
        </div>
      ))}
      <button type="button" className="small" onClick={() => onChange([...conditions, { name: '', value: '' }])}>
        Add a condition
      </button>
    </fieldset>
  );
}
