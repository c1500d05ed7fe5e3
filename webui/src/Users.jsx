import { useEffect, useRef, useState } from 'react';
import { call } from './api.js';
import { ConfirmButton, focusFirst, useActions } from './AdminParts.jsx';
import Messages from './Messages.jsx';
import UserCards from './UserCards.jsx';

// Users: the users of a realm (all its resolvers), found by user name. Users of the built-in
// store (sql resolvers) are created, changed and deleted here; directory users are read-only.
const fields = [
  ['givenname', 'Given name'],
  ['surname', 'Surname'],
  ['email', 'E-mail'],
  ['phone', 'Phone'],
  ['mobile', 'Mobile'],
  ['organization', 'Organization'],
  ['department', 'Department'],
];
const blank = Object.fromEntries([['user', ''], ['resolver', ''], ['password', ''], ...fields.map(([k]) => [k, ''])]);

export default function Users({ go }) {
  const [cardsOf, setCardsOf] = useState(''); // the user whose certificates are shown
  const { error, setError, notice, setNotice, act } = useActions(() => list(realm, filter));
  const [realms, setRealms] = useState([]);
  const [realm, setRealm] = useState('');
  const [filter, setFilter] = useState('');
  const [users, setUsers] = useState(null);
  const [form, setForm] = useState({ ...blank, editing: false });
  const formRef = useRef(null);

  // The realm's resolvers whose users can be changed here.
  const editable = (realms.find(([name]) => name === realm)?.[1].resolver || []).filter((r) => r.type === 'sql').map((r) => r.name);

  async function list(realmName, search) {
    const params = { realm: realmName };
    // A search without "*" finds the text anywhere in the user name, as eduMFA's WebUI does.
    if (search) params.username = search.includes('*') ? search : `*${search}*`;
    setUsers((await call('GET', '/user/', params)).result.value);
  }

  useEffect(() => {
    (async () => {
      try {
        const all = Object.entries((await call('GET', '/realm/')).result.value);
        setRealms(all);
        const start = (all.find(([, r]) => r.default) || all[0])?.[0];
        if (start) {
          choose(start, all);
          await list(start, '');
        }
      } catch (e) {
        setError(e.message);
      }
    })();
  }, []);

  function choose(name, all = realms) {
    setRealm(name);
    const sql = (all.find(([n]) => n === name)?.[1].resolver || []).filter((r) => r.type === 'sql');
    setForm({ ...blank, resolver: sql[0]?.name || '', editing: false });
  }

  async function search(event) {
    event.preventDefault();
    setError('');
    setNotice('');
    try {
      await list(realm, filter);
    } catch (e) {
      setUsers([]);
      setError(e.message);
    }
  }

  async function submit(event) {
    event.preventDefault();
    // An edit sends the version it was read with: a stale form gets 409, not the last word.
    const { editing, password, version, ...rest } = form;
    const params = { ...rest, realm };
    if (editing) params.version = version;
    if (password) params.password = password;
    const ok = await act(
      () => call(editing ? 'PUT' : 'POST', '/user/', params),
      `User ${form.user} ${editing ? 'updated' : 'created'}.`,
    );
    if (ok) setForm({ ...blank, resolver: form.resolver, editing: false });
  }

  function edit(u) {
    setError('');
    setNotice('');
    setForm({ ...blank, ...Object.fromEntries(fields.map(([k]) => [k, u[k] || ''])), user: u.username, resolver: u.resolver, version: u.version, editing: true });
    focusFirst(formRef);
  }

  return (
    <section>
      <h1>Users</h1>
      {realms.length === 0 ? (
        <p>
          No realm yet: users are found through a resolver (where they are kept) and a realm (which
          resolvers a login searches). First{' '}
          {go ? (
            <>
              <button className="link" onClick={() => go('Resolvers')}>
                create a resolver
              </button>
              , then{' '}
              <button className="link" onClick={() => go('Realms')}>
                a realm
              </button>
            </>
          ) : (
            'create a resolver, then a realm'
          )}
          .
        </p>
      ) : (
        <form className="toolbar" onSubmit={search} aria-label="Find users">
          <label>
            Realm
            <select
              value={realm}
              onChange={async (e) => {
                choose(e.target.value);
                setError('');
                try {
                  await list(e.target.value, filter);
                } catch (err) {
                  setUsers([]);
                  setError(err.message);
                }
              }}
            >
              {realms.map(([name, r]) => (
                <option key={name} value={name}>
                  {name}
                  {r.default ? ' (default)' : ''}
                </option>
              ))}
            </select>
          </label>
          <label>
            User name contains <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="* is a wildcard" />
          </label>
          <button type="submit">Search</button>
        </form>
      )}
      {users && users.length === 0 && <p>No user found.</p>}
      {users && users.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>User name</th>
              <th>Name</th>
              <th>E-mail</th>
              <th>Phone</th>
              <th>Resolver</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={`${u.resolver}/${u.username}`} data-user={u.username}>
                <td>{u.username}</td>
                <td>{[u.givenname, u.surname].filter(Boolean).join(' ')}</td>
                <td>{u.email}</td>
                <td>{[u.phone, u.mobile].filter(Boolean).join(', ')}</td>
                <td>{u.resolver}</td>
                <td className="actions">
                  <button className="small" aria-label={`Certificates of ${u.username}`} onClick={() => setCardsOf(u.username)}>
                    Certificates
                  </button>
                  {u.editable ? (
                    <>
                      <button className="small" aria-label={`Edit ${u.username}`} onClick={() => edit(u)}>
                        Edit
                      </button>
                      <ConfirmButton
                        what={u.username}
                        onConfirm={() =>
                          act(() => call('DELETE', `/user/${encodeURIComponent(u.resolver)}/${encodeURIComponent(u.username)}`, { realm }), `User ${u.username} deleted.`)
                        }
                      />
                    </>
                  ) : (
                    <span className="hint">read-only (directory)</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cardsOf && <UserCards user={cardsOf} realm={realm} onClose={() => setCardsOf('')} />}
      <Messages error={error} notice={notice} />
      {realm && (
        <form ref={formRef} className="card" onSubmit={submit} aria-label="User">
          <h3>{form.editing ? `Edit user ${form.user}` : `New user in realm ${realm}`}</h3>
          {editable.length === 0 && !form.editing ? (
            <p className="hint">Realm {realm} has no sql resolver: its users are managed in their directory.</p>
          ) : (
            <>
              <label>
                Resolver
                <select value={form.resolver} onChange={(e) => setForm({ ...form, resolver: e.target.value })} disabled={form.editing}>
                  {(form.editing ? [form.resolver] : editable).map((name) => (
                    <option key={name} value={name}>
                      {name}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                User name
                <input value={form.user} onChange={(e) => setForm({ ...form, user: e.target.value })} readOnly={form.editing} required autoComplete="off" />
              </label>
              <label>
                Password <span className="hint">{form.editing ? 'leave empty to keep it' : 'at least 8 characters'}</span>
                <input type="password" autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />
              </label>
              {fields.map(([key, label]) => (
                <label key={key}>
                  {label}
                  <input
                    type={key === 'email' ? 'email' : key === 'phone' || key === 'mobile' ? 'tel' : 'text'}
                    value={form[key]}
                    onChange={(e) => setForm({ ...form, [key]: e.target.value })}
                  />
                </label>
              ))}
              <span className="buttons">
                <button type="submit">{form.editing ? 'Save the user' : 'Create the user'}</button>
                {form.editing && (
                  <button
                    type="button"
                    className="small"
                    onClick={() => {
                      setError('');
                      setNotice('');
                      choose(realm);
                    }}
                  >
                    New user instead
                  </button>
                )}
              </span>
            </>
          )}
        </form>
      )}
    </section>
  );
}
