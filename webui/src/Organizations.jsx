import { useEffect, useState } from 'react';
import { call } from './api.js';
import { ConfirmButton, useActions } from './AdminParts.jsx';
import Messages from './Messages.jsx';
import Pager from './Pager.jsx';

// Organizations for enrollment forms (a realm's built-in resolver, departments, delegated
// e-mail domains) and their persons: one at a time, or a CSV file checked first (every bad row
// shown) and then imported all at once.
const emptyOrganization = { name: '', realm: '', resolver: '', departments: '', domains: '', version: 0 };

export default function Organizations() {
  const { error, setError, notice, setNotice, act } = useActions(load);
  const [organizations, setOrganizations] = useState([]);
  const [realms, setRealms] = useState({});
  const [form, setForm] = useState(emptyOrganization);
  const [current, setCurrent] = useState('');

  async function load() {
    try {
      const [o, r] = await Promise.all([call('GET', '/organization/'), call('GET', '/realm/')]);
      setOrganizations(Object.entries(o.result.value));
      setRealms(r.result.value);
    } catch (e) {
      setError(e.message);
    }
  }
  useEffect(() => {
    load();
  }, []);

  const resolvers = (realms[form.realm]?.resolver || []).filter((r) => r.type === 'sql');

  return (
    <section>
      <h1>Organizations</h1>
      {organizations.length === 0 ? (
        <p>No organization yet: add one below, then its persons, then an enrollment form.</p>
      ) : (
        <table>
          <thead>
            <tr><th>Name</th><th>Realm</th><th>Departments</th><th>Delegated domains</th><th>Actions</th></tr>
          </thead>
          <tbody>
            {organizations.map(([name, o]) => (
              <tr key={name} data-organization={name}>
                <td>{name}</td>
                <td>{o.realm} ({o.resolver})</td>
                <td>{o.departments.join(', ')}</td>
                <td>{o.domains.join(', ')}</td>
                <td>
                  <button className="small" onClick={() => setCurrent(name)} aria-label={`Persons of ${name}`}>Persons</button>{' '}
                  <button className="small" aria-label={`Edit ${name}`}
                    onClick={() => setForm({ name, realm: o.realm, resolver: o.resolver, departments: o.departments.join(', '), domains: o.domains.join(', '), version: o.version })}>
                    Edit
                  </button>{' '}
                  <ConfirmButton what={name} onConfirm={() => act(() => call('DELETE', `/organization/${encodeURIComponent(name)}`), `${name} deleted.`)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form aria-label="Organization"
        onSubmit={async (event) => {
          event.preventDefault();
          const { name, version, ...params } = form;
          if (await act(() => call('POST', `/organization/${encodeURIComponent(name)}`, { ...params, version }), `Organization ${name} saved.`))
            setForm(emptyOrganization);
        }}
      >
        <h3>{form.version ? `Edit ${form.name}` : 'New organization'}</h3>
        <label>Name <input value={form.name} readOnly={!!form.version} required onChange={(e) => setForm({ ...form, name: e.target.value })} /></label>
        <label>
          Realm{' '}
          <select value={form.realm} required onChange={(e) => setForm({ ...form, realm: e.target.value, resolver: '' })}>
            <option value="">(choose)</option>
            {Object.keys(realms).map((r) => <option key={r}>{r}</option>)}
          </select>
        </label>
        <label>
          Built-in resolver for its persons{' '}
          <select value={form.resolver} required onChange={(e) => setForm({ ...form, resolver: e.target.value })}>
            <option value="">(choose)</option>
            {resolvers.map((r) => <option key={r.name}>{r.name}</option>)}
          </select>
        </label>
        <label>Departments <input value={form.departments} placeholder="Sales, Engineering" onChange={(e) => setForm({ ...form, departments: e.target.value })} /></label>
        <label>Delegated domains <input value={form.domains} required placeholder="acme.example, *.lab.acme.example" onChange={(e) => setForm({ ...form, domains: e.target.value })} /></label>
        <button type="submit">Save organization</button>
      </form>
      <Messages error={error} notice={notice} />
      {current && <Persons organization={current} key={current} />}
    </section>
  );
}

function Persons({ organization }) {
  const [page, setPage] = useState(1);
  const [listing, setListing] = useState(null);
  const [shown, setShown] = useState([]); // secret IDs shown once: [{email, secret_id}]
  const [csv, setCsv] = useState('');
  const [preview, setPreview] = useState(null);
  const [busy, setBusy] = useState('');
  const { error, setError, notice, setNotice, act } = useActions(() => load(page));

  async function load(p) {
    try {
      setListing((await call('GET', '/person/', { organization, page: p, page_size: 50 })).result.value);
      setPage(p);
    } catch (e) {
      setError(e.message);
    }
  }
  useEffect(() => {
    load(1);
  }, []);

  async function importFile(commit) {
    setBusy(commit ? 'Importing…' : `Checking ${csv.split('\n').length - 1} rows…`);
    setError('');
    setNotice('');
    try {
      const answer = (await call('POST', '/person/import', { organization, csv, commit })).result.value;
      if (commit) {
        setShown(answer.secret_ids);
        setPreview(null);
        setCsv('');
        setNotice(`${answer.imported} persons imported.`);
        await load(1);
      } else {
        setPreview(answer);
      }
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy('');
    }
  }

  return (
    <section aria-label={`Persons of ${organization}`}>
      <h3>Persons of {organization}</h3>
      {listing && listing.count === 0 && <p>No person yet: add one, or import a CSV file.</p>}
      {listing && listing.count > 0 && (
        <>
          <table>
            <thead>
              <tr><th>E-mail</th><th>Name</th><th>Department</th><th>Secret ID</th><th>Actions</th></tr>
            </thead>
            <tbody>
              {listing.persons.map((p) => (
                <tr key={p.email} data-person={p.email}>
                  <td>{p.email}</td>
                  <td>{p.common_name}</td>
                  <td>{p.department}</td>
                  <td>{p.secret_id ? 'set' : 'none'}</td>
                  <td>
                    <ConfirmButton what={p.email} onConfirm={() => act(() => call('DELETE', `/person/${encodeURIComponent(organization)}/${encodeURIComponent(p.email)}`), `${p.email} deleted.`)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager page={page} pageSize={50} count={listing.count} next={listing.next} prev={listing.prev} onPage={load} noun="person" />
        </>
      )}
      {shown.length > 0 && (
        <div role="status" className="secret-ids">
          <p>Secret IDs, shown this once: hand each to its person.</p>
          <table>
            <tbody>
              {shown.map((s) => <tr key={s.email}><td>{s.email}</td><td><code>{s.secret_id}</code></td></tr>)}
            </tbody>
          </table>
        </div>
      )}
      <form aria-label="New person"
        onSubmit={async (event) => {
          event.preventDefault();
          const data = Object.fromEntries(new FormData(event.target));
          if (data.generate) data.secret_id = 'generate';
          delete data.generate;
          await act(async () => {
            const made = (await call('POST', '/person/', { organization, ...data })).result.value;
            setShown(typeof made.secret_id === 'string' ? [{ email: made.email, secret_id: made.secret_id }] : []);
            event.target.reset();
          }, 'Person added.');
        }}
      >
        <h4>New person</h4>
        <label>E-mail <input name="email" type="email" required /></label>
        <label>First name <input name="first_name" /></label>
        <label>Last name <input name="last_name" /></label>
        <label>Department <input name="department" /></label>
        <label className="check"><input name="generate" type="checkbox" /> Make a secret ID</label>
        <button type="submit">Add person</button>
      </form>
      <form aria-label="Import persons"
        onSubmit={(event) => {
          event.preventDefault();
          importFile(false);
        }}
      >
        <h4>Import a CSV file</h4>
        <p>Columns: email, first_name, middle_name, last_name, department, common_name, validation_type, secret_id (a value, generate, or empty).</p>
        <label>
          CSV file{' '}
          <input type="file" accept=".csv,text/csv"
            onChange={async (e) => {
              setPreview(null);
              setCsv(e.target.files[0] ? await e.target.files[0].text() : '');
            }}
          />
        </label>
        <button type="submit" disabled={!csv || !!busy}>Check the file</button>
        {busy && <p role="status"><progress /> {busy}</p>}
      </form>
      {preview && (
        <div aria-label="Import preview">
          <p>{preview.rows} rows: {preview.valid} ready, {preview.errors.length} with problems.</p>
          {preview.errors.length > 0 ? (
            <table>
              <thead><tr><th>Row</th><th>E-mail</th><th>Problem</th></tr></thead>
              <tbody>
                {preview.errors.map((e) => <tr key={e.row}><td>{e.row}</td><td>{e.email}</td><td>{e.reason}</td></tr>)}
              </tbody>
            </table>
          ) : (
            <button onClick={() => importFile(true)} disabled={!!busy}>Import {preview.valid} persons</button>
          )}
        </div>
      )}
      <Messages error={error} notice={notice} />
    </section>
  );
}
