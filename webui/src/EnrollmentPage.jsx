import { useEffect, useState } from 'react';
import { call } from './api.js';
import Messages from './Messages.jsx';
import { saveFile } from './saveFile.js';

// An enrollment form's public page (/enroll/<extension>): a person without an account
// authenticates (a link mailed to them, or their secret ID), picks an account, completes the
// form, accepts the terms and downloads their certificate. Every step is a public endpoint.
export default function EnrollmentPage({ extension }) {
  const base = `/enroll/${extension}`;
  const [form, setForm] = useState(null);
  const [session, setSession] = useState(null); // { session, email, organization }
  const [accounts, setAccounts] = useState(null);
  const [accessCode, setAccessCode] = useState('');
  const [chosen, setChosen] = useState(null);
  const [result, setResult] = useState(null);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);

  async function step(what) {
    setBusy(true);
    setError('');
    setNotice('');
    try {
      await what();
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(false);
    }
  }

  const [mine, setMine] = useState([]);

  async function loadAccounts(current, code) {
    setMine((await call('POST', `${base}/certificates`, { session: current.session })).result.value);
    const answer = await call('POST', `${base}/accounts`, { session: current.session, access_code: code });
    setAccounts(answer.result.value);
    if (code && answer.result.value.length === 0) setError('No account opens with this access code.');
  }

  // The link from the mail carries its secret after '#', which never reaches a server log; it
  // may also arrive in a page that is open already (a hash change, no reload).
  async function openLink() {
    const link = new URLSearchParams(window.location.hash.slice(1)).get('link');
    if (!link) return;
    window.history.replaceState(null, '', window.location.pathname);
    const opened = (await call('POST', `${base}/session`, { link })).result.value;
    setSession(opened);
    await loadAccounts(opened, '');
  }

  useEffect(() => {
    step(async () => {
      setForm((await call('GET', `${base}/form`)).result.value);
      await openLink();
    });
    const onHash = () => step(openLink);
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  if (!form)
    return (
      <main className="enroll">
        <h1>Certificate enrollment</h1>
        <Messages error={error} notice={busy ? 'Loading…' : ''} />
      </main>
    );

  return (
    <main className="enroll">
      <h1>{form.name}: certificate enrollment</h1>
      {form.help_text && <p>{form.help_text}</p>}
      <Messages error={error} notice={notice} />
      {result ? (
        <Result result={result} />
      ) : !session ? (
        <Authenticate form={form} base={base} busy={busy} step={step} setNotice={setNotice}
          onSession={async (opened) => {
            setSession(opened);
            await loadAccounts(opened, '');
          }}
        />
      ) : !chosen ? (
        <>
        <OwnCertificates certificates={mine}
          onRevoke={(serial) =>
            step(async () => {
              await call('POST', `${base}/revoke`, { session: session.session, serial, reason: 'unspecified' });
              await loadAccounts(session, accessCode);
              setNotice(`Certificate ${serial} is revoked.`);
            })
          }
        />
        <ChooseAccount session={session} accounts={accounts || []} accessCode={accessCode} busy={busy}
          setAccessCode={setAccessCode}
          onCode={(event) => {
            event.preventDefault();
            step(() => loadAccounts(session, accessCode));
          }}
          onChoose={setChosen}
        />
        </>
      ) : (
        <Complete form={form} account={chosen} busy={busy} names={session.names || {}}
          onBack={() => setChosen(null)}
          onSubmit={(fields) =>
            step(async () => {
              const answer = await call('POST', `${base}/certificate`, {
                ...fields, session: session.session, account: chosen.name, access_code: accessCode,
                eula_version: form.eula_version,
              });
              setResult(answer.detail);
            })
          }
        />
      )}
      <Help form={form} />
    </main>
  );
}

function Authenticate({ form, base, busy, step, setNotice, onSession }) {
  const byMail = form.auth_types.includes('email');
  const bySecret = form.auth_types.includes('secret_id');
  return (
    <>
      {byMail && (
        <form aria-label="E-mail confirmation"
          onSubmit={(event) => {
            event.preventDefault();
            const email = new FormData(event.target).get('email');
            step(async () => setNotice((await call('POST', `${base}/link`, { email })).result.value.message));
          }}
        >
          <h2>Confirm your e-mail address</h2>
          <label>
            E-mail address <input name="email" type="email" autoComplete="email" required />
          </label>
          <button type="submit" disabled={busy}>Send me a link</button>
        </form>
      )}
      {bySecret && (
        <form aria-label="Secret ID"
          onSubmit={(event) => {
            event.preventDefault();
            const data = new FormData(event.target);
            step(async () =>
              onSession((await call('POST', `${base}/session`, { email: data.get('email'), secret_id: data.get('secret_id') })).result.value),
            );
          }}
        >
          <h2>Or use your secret ID</h2>
          <label>
            E-mail address <input name="email" type="email" autoComplete="email" required />
          </label>
          <label>
            Secret ID <input name="secret_id" type="password" autoComplete="off" required />
          </label>
          <button type="submit" disabled={busy}>Continue</button>
        </form>
      )}
    </>
  );
}

// The person's certificates from this form's organizations, each revocable (after a second
// click: a revocation cannot be undone).
function OwnCertificates({ certificates, onRevoke }) {
  const [asking, setAsking] = useState('');
  if (certificates.length === 0) return null;
  return (
    <section aria-label="Your certificates">
      <h2>Your certificates</h2>
      <table>
        <thead>
          <tr><th>Token</th><th>Profile</th><th>Valid until</th><th>State</th><th></th></tr>
        </thead>
        <tbody>
          {certificates.map((c) => (
            <tr key={c.serial} data-certificate={c.serial}>
              <td>{c.serial}</td>
              <td>{c.profile || ''}</td>
              <td>{c.not_after ? new Date(c.not_after * 1000).toLocaleDateString() : ''}</td>
              <td>{c.revoked ? 'revoked' : c.rollout_state || 'enrolled'}</td>
              <td>
                {c.certificate && !c.revoked && (
                  <button className="small" aria-label={`Download ${c.serial}`} onClick={() => saveFile(`${c.serial}.pem`, c.certificate, 'application/x-pem-file')}>
                    Download
                  </button>
                )}{' '}
                {!c.revoked &&
                  (asking === c.serial ? (
                    <>
                      <button className="small danger" onClick={() => { setAsking(''); onRevoke(c.serial); }}>Yes, revoke</button>{' '}
                      <button className="small" onClick={() => setAsking('')}>Cancel</button>
                    </>
                  ) : (
                    <button className="small" aria-label={`Revoke ${c.serial}`} onClick={() => setAsking(c.serial)}>Revoke</button>
                  ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function ChooseAccount({ session, accounts, accessCode, busy, setAccessCode, onCode, onChoose }) {
  return (
    <>
      <h2>Choose an account</h2>
      <p>You are {session.email}.</p>
      <form aria-label="Access code" onSubmit={onCode}>
        <label>
          Access code <input name="access_code" value={accessCode} onChange={(e) => setAccessCode(e.target.value)} autoComplete="off" />
        </label>
        <button type="submit" disabled={busy || !accessCode}>Show its accounts</button>
      </form>
      {accounts.length === 0 ? (
        <p>No account is open to you yet: enter the access code your organization gave you.</p>
      ) : (
        <ul className="accounts">
          {accounts.map((a) => (
            <li key={a.name}>
              <button onClick={() => onChoose(a)}>
                {a.name}: {a.organization}{a.department ? `, ${a.department}` : ''}
              </button>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function Complete({ form, account, busy, names, onBack, onSubmit }) {
  const [profileId, setProfileId] = useState(account.profiles[0]?.id || '');
  const profile = account.profiles.find((p) => p.id === profileId) || account.profiles[0];
  const serverKey = account.csr_method === 'server';
  function submit(event) {
    event.preventDefault();
    const data = new FormData(event.target);
    const fields = {
      profile: profileId,
      validity_days: Number(data.get('validity_days')),
      first_name: data.get('first_name'),
      middle_name: data.get('middle_name'),
      last_name: data.get('last_name'),
      eula_accepted: data.get('eula') === 'on',
    };
    if (serverKey)
      Object.assign(fields, { key_type: data.get('key_type'), password: data.get('password'), password_repeat: data.get('password_repeat') });
    else fields.csr = data.get('csr');
    onSubmit(fields);
  }
  return (
    <form aria-label="Certificate request" onSubmit={submit}>
      <h2>Your certificate</h2>
      <label>
        Organization <input value={account.organization} readOnly />
      </label>
      {account.department && (
        <label>
          Department <input value={account.department} readOnly />
        </label>
      )}
      <label>
        Profile{' '}
        <select value={profileId} onChange={(e) => setProfileId(e.target.value)}>
          {account.profiles.map((p) => (
            <option key={p.id} value={p.id}>{p.id}{p.approval ? ' (needs approval)' : ''}</option>
          ))}
        </select>
      </label>
      <label>
        Term{' '}
        <select name="validity_days">
          {profile?.validity_days.map((d) => <option key={d} value={d}>{d} days</option>)}
        </select>
      </label>
      {serverKey && (
        <label>
          Key type{' '}
          <select name="key_type">
            {profile?.key_types.map((k) => <option key={k} value={k}>{k}</option>)}
          </select>
        </label>
      )}
      <label>First name <input name="first_name" autoComplete="given-name" defaultValue={names.first_name} /></label>
      <label>Middle name <input name="middle_name" autoComplete="additional-name" defaultValue={names.middle_name} /></label>
      <label>Last name <input name="last_name" autoComplete="family-name" defaultValue={names.last_name} /></label>
      {serverKey ? (
        <>
          <label>
            Password for the file{' '}
            <input name="password" type="password" autoComplete="new-password" required={!account.allow_empty_password} />
          </label>
          <label>
            The password again{' '}
            <input name="password_repeat" type="password" autoComplete="new-password" required={!account.allow_empty_password} />
          </label>
        </>
      ) : (
        <label>
          Certificate request (PEM) <textarea name="csr" rows={8} required />
        </label>
      )}
      <h3>Terms of use</h3>
      <pre className="eula">{form.eula}</pre>
      <label className="check">
        <input name="eula" type="checkbox" required /> I accept the terms of use
      </label>
      <button type="submit" disabled={busy}>{busy ? 'Enrolling…' : 'Enroll'}</button>{' '}
      <button type="button" className="link" onClick={onBack}>Another account</button>
    </form>
  );
}

function Result({ result }) {
  if (result.rollout_state === 'pending')
    return <p role="status">{result.message || 'Your request waits for an approval.'}</p>;
  return (
    <section aria-label="Your certificate">
      <h2>Your certificate is ready</h2>
      <p>It is shown this once: save it now.</p>
      {result.pkcs12 ? (
        <button onClick={() => saveFile(`${result.serial}.p12`, Uint8Array.from(atob(result.pkcs12), (c) => c.charCodeAt(0)), 'application/x-pkcs12')}>
          Download the .p12 file
        </button>
      ) : (
        <button onClick={() => saveFile(`${result.serial}.pem`, result.certificate, 'application/x-pem-file')}>
          Download the certificate
        </button>
      )}
    </section>
  );
}

function Help({ form }) {
  return (
    <details className="help">
      <summary>Help</summary>
      <p><strong>Why authenticate?</strong> The certificate will carry your name and address: the link or your secret ID shows that they are yours.</p>
      <p><strong>The password</strong> protects the .p12 file, which holds your key: you need it once, to import the file into your browser or mail program. Nobody can recover it.</p>
      <p><strong>To revoke</strong> a certificate (a lost device, a leaked file), authenticate here again: your certificates are listed with a Revoke button. It cannot be undone.</p>
      {form.help_links.length > 0 && (
        <ul>
          {form.help_links.map((l) => <li key={l}><a href={l}>{l}</a></li>)}
        </ul>
      )}
    </details>
  );
}
