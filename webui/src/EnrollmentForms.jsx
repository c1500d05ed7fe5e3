import { useEffect, useState } from 'react';
import { call } from './api.js';
import { ConfirmButton, useActions } from './AdminParts.jsx';
import Messages from './Messages.jsx';

// Enrollment forms: the public page each has (its URL to hand out, made anew on request), how
// people authenticate there, its help and terms; and its accounts: what is handed out, to whom.
const emptyForm = { name: '', email: true, secret_id: false, notifier: '', help_text: '', help_links: '', eula: '', enabled: true, version: 0 };
const emptyAccount = { name: '', organization: '', department: '', profiles: '', csr_method: 'server', allow_empty_password: false, authorization_method: 'access_code', access_code: '', version: 0 };

export default function EnrollmentForms() {
  const { error, setError, notice, setNotice, act } = useActions(load);
  const [forms, setForms] = useState([]);
  const [notifiers, setNotifiers] = useState([]);
  const [organizations, setOrganizations] = useState([]);
  const [form, setForm] = useState(emptyForm);
  const [account, setAccount] = useState(null); // { form, ...fields }
  const [enrollments, setEnrollments] = useState(null); // { form, enrollments, count }

  async function load() {
    try {
      const [f, n, o] = await Promise.all([
        call('GET', '/enrollmentform/'),
        call('GET', '/notifier/'),
        call('GET', '/organization/'),
      ]);
      setForms(Object.entries(f.result.value));
      setNotifiers(n.result.value.filter((c) => c.type === 'email').map((c) => c.name));
      setOrganizations(Object.keys(o.result.value));
    } catch (e) {
      setError(e.message);
    }
  }
  useEffect(() => {
    load();
  }, []);

  const url = (f) => `${window.location.origin}${f.url_path}`;

  return (
    <section>
      <h1>Enrollment forms</h1>
      {forms.length === 0 && <p>No enrollment form yet: add one below, then its accounts.</p>}
      {forms.map(([name, f]) => (
        <article key={name} className="card" data-form={name} aria-label={`Form ${name}`}>
          <h3>{name}{f.enabled ? '' : ' (disabled)'}</h3>
          <p>
            URL: <code data-testid={`url-${name}`}>{url(f)}</code>{' '}
            <button className="small" onClick={() => navigator.clipboard?.writeText(url(f)).then(() => setNotice('URL copied.'))}>Copy</button>{' '}
            <button className="small" onClick={() => act(() => call('POST', `/enrollmentform/${encodeURIComponent(name)}/regenerate`), `Form ${name} has a new URL; the old one no longer works.`)}>
              New URL
            </button>
          </p>
          <p>Authentication: {f.auth_types.join(', ')}. Terms version {f.eula_version}.</p>
          <table>
            <thead>
              <tr><th>Account</th><th>Organization</th><th>Profiles</th><th>Key</th><th>Authorization</th><th>Actions</th></tr>
            </thead>
            <tbody>
              {Object.entries(f.accounts).map(([a, details]) => (
                <tr key={a} data-account={a}>
                  <td>{a}</td>
                  <td>{details.organization}{details.department ? ` (${details.department})` : ''}</td>
                  <td>{details.profiles.map((p) => `${p.ca}/${p.profile}`).join(', ')}</td>
                  <td>{details.csr_method === 'server' ? 'made here (.p12)' : "the person's CSR"}</td>
                  <td>{details.authorization_method === 'access_code' ? 'access code' : 'persons with a secret ID'}</td>
                  <td>
                    <ConfirmButton what={`account ${a}`} onConfirm={() => act(() => call('DELETE', `/enrollmentform/${encodeURIComponent(name)}/account/${encodeURIComponent(a)}`), `Account ${a} deleted.`)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <button className="small" onClick={() => setAccount({ ...emptyAccount, form: name })}>Add an account</button>{' '}
          <button className="small"
            onClick={() =>
              call('GET', `/enrollmentform/${encodeURIComponent(name)}/enrollments`, { page_size: 100 })
                .then((r) => setEnrollments({ form: name, ...r.result.value }))
                .catch((e) => setError(e.message))
            }
          >
            Enrollments
          </button>{' '}
          <button className="small"
            onClick={() => setForm({ name, email: f.auth_types.includes('email'), secret_id: f.auth_types.includes('secret_id'), notifier: f.notifier, help_text: f.help_text, help_links: f.help_links.join(', '), eula: f.eula, enabled: f.enabled, version: f.version })}>
            Edit
          </button>{' '}
          <ConfirmButton what={`form ${name}`} note="and its accounts" onConfirm={() => act(() => call('DELETE', `/enrollmentform/${encodeURIComponent(name)}`), `Form ${name} deleted.`)} />
        </article>
      ))}
      <Messages error={error} notice={notice} />
      {enrollments && (
        <section aria-label={`Enrollments of ${enrollments.form}`}>
          <h3>Enrollments of {enrollments.form} ({enrollments.count})</h3>
          <table>
            <thead>
              <tr><th>Token</th><th>Person</th><th>Account</th><th>Profile</th><th>Terms</th><th>State</th></tr>
            </thead>
            <tbody>
              {enrollments.enrollments.map((e) => (
                <tr key={e.serial}>
                  <td>{e.serial}</td>
                  <td>{e.user}</td>
                  <td>{e.enrollment_account || ''}</td>
                  <td>{e.profile || ''}</td>
                  <td>{e.eula_version ? `version ${e.eula_version}` : ''}</td>
                  <td>{e.revoked ? 'revoked' : e.rollout_state || 'enrolled'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {account && (
        <form aria-label="Account"
          onSubmit={async (event) => {
            event.preventDefault();
            const { form: owner, name, version, ...params } = account;
            if (await act(() => call('POST', `/enrollmentform/${encodeURIComponent(owner)}/account/${encodeURIComponent(name)}`, { ...params, version }), `Account ${name} saved.`))
              setAccount(null);
          }}
        >
          <h3>New account of {account.form}</h3>
          <label>Name <input value={account.name} required onChange={(e) => setAccount({ ...account, name: e.target.value })} /></label>
          <label>
            Organization{' '}
            <select value={account.organization} required onChange={(e) => setAccount({ ...account, organization: e.target.value })}>
              <option value="">(choose)</option>
              {organizations.map((o) => <option key={o}>{o}</option>)}
            </select>
          </label>
          <label>Department <input value={account.department} onChange={(e) => setAccount({ ...account, department: e.target.value })} /></label>
          <label>Profiles <input value={account.profiles} required placeholder="corp/user" onChange={(e) => setAccount({ ...account, profiles: e.target.value })} /></label>
          <label>
            Key{' '}
            <select value={account.csr_method} onChange={(e) => setAccount({ ...account, csr_method: e.target.value })}>
              <option value="server">made here, as a .p12 file</option>
              <option value="client">the person uploads a CSR</option>
            </select>
          </label>
          <label className="check">
            <input type="checkbox" checked={account.allow_empty_password} onChange={(e) => setAccount({ ...account, allow_empty_password: e.target.checked })} /> Allow an empty .p12 password
          </label>
          <label>
            Authorization{' '}
            <select value={account.authorization_method} onChange={(e) => setAccount({ ...account, authorization_method: e.target.value })}>
              <option value="access_code">an access code</option>
              <option value="none">none (persons with a secret ID)</option>
            </select>
          </label>
          {account.authorization_method === 'access_code' && (
            <label>Access code <input value={account.access_code} onChange={(e) => setAccount({ ...account, access_code: e.target.value })} autoComplete="off" /></label>
          )}
          <button type="submit">Save account</button>{' '}
          <button type="button" className="link" onClick={() => setAccount(null)}>Cancel</button>
        </form>
      )}
      <form aria-label="Enrollment form"
        onSubmit={async (event) => {
          event.preventDefault();
          const { name, email, secret_id, version, ...params } = form;
          const auth_types = [email && 'email', secret_id && 'secret_id'].filter(Boolean).join(',');
          if (await act(() => call('POST', `/enrollmentform/${encodeURIComponent(name)}`, { ...params, auth_types, version }), `Form ${name} saved.`))
            setForm(emptyForm);
        }}
      >
        <h3>{form.version ? `Edit ${form.name}` : 'New enrollment form'}</h3>
        <label>Name <input value={form.name} readOnly={!!form.version} required onChange={(e) => setForm({ ...form, name: e.target.value })} /></label>
        <label className="check"><input type="checkbox" checked={form.email} onChange={(e) => setForm({ ...form, email: e.target.checked })} /> E-mail confirmation</label>
        <label className="check"><input type="checkbox" checked={form.secret_id} onChange={(e) => setForm({ ...form, secret_id: e.target.checked })} /> Secret ID</label>
        {form.email && (
          <label>
            Mail links with{' '}
            <select value={form.notifier} onChange={(e) => setForm({ ...form, notifier: e.target.value })}>
              <option value="">(choose an e-mail action)</option>
              {notifiers.map((n) => <option key={n}>{n}</option>)}
            </select>
          </label>
        )}
        <label>Help text <input value={form.help_text} onChange={(e) => setForm({ ...form, help_text: e.target.value })} /></label>
        <label>Help links <input value={form.help_links} placeholder="https://help.example/certificates" onChange={(e) => setForm({ ...form, help_links: e.target.value })} /></label>
        <label>Terms of use (EULA) <textarea value={form.eula} required rows={5} onChange={(e) => setForm({ ...form, eula: e.target.value })} /></label>
        <label className="check"><input type="checkbox" checked={form.enabled} onChange={(e) => setForm({ ...form, enabled: e.target.checked })} /> Enabled</label>
        <button type="submit">Save form</button>
      </form>
    </section>
  );
}
