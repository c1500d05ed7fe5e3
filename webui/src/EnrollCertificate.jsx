import { useEffect, useState } from 'react';
import { call } from './api.js';

// A certificate for the user: from a CSR (pasted or uploaded), from a key the server makes
// (downloaded once as a password-protected PKCS#12), or the certificate this browser presents.
// An admin requests one for a user by giving user and realm (the browser's own certificate is
// then not offered: it is the admin's), and may name the CA connector and profile, and a
// device's IP address and serial for profiles that put them into the certificate.
// A user chooses among the CA connectors and profiles open to her (GET /certificate/profiles,
// by the enrollment policy certificate_profiles), seeing each one's terms and key types.
// onMade: told when the server has made the token (so a list can show it at once).
export default function EnrollCertificate({ onDone, onMade, user, realm, ca, profile }) {
  const [mode, setMode] = useState('genkey');
  const [error, setError] = useState('');
  const [result, setResult] = useState(null);
  const [busy, setBusy] = useState(false);
  const [password, setPassword] = useState('');
  const [options, setOptions] = useState(null); // the profiles open to the user; null: asking
  const [picked, setPicked] = useState(0);
  const choosing = !user && !ca;
  useEffect(() => {
    if (!choosing) return;
    call('GET', '/certificate/profiles')
      .then((body) => setOptions(body.result.value))
      .catch((e) => setError(e.message));
  }, [choosing]);
  const option = choosing && options ? options[picked] : null;

  async function submit(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    setError('');
    const params = { type: 'certificate' };
    if (user) Object.assign(params, { user, realm: realm || '' });
    if (ca) params.ca = ca;
    if (profile) params.profile = profile;
    if (option) Object.assign(params, { ca: option.ca, profile: option.profile });
    for (const key of ['validity_days', 'key_type']) if (form.get(key)) params[key] = form.get(key);
    for (const key of ['ip', 'device_serial']) if (form.get(key)) params[key] = form.get(key);
    if (mode === 'csr') {
      const file = form.get('csrfile');
      params.request = file && file.size ? await file.text() : form.get('csr');
    } else if (mode === 'genkey') {
      if (form.get('password') !== form.get('password2')) return setError('The passwords differ.');
      params.genkey = '1';
      params.password = form.get('password');
    } else {
      params.client_certificate = '1';
    }
    setBusy(true);
    try {
      const body = await call('POST', '/token/init', params);
      setResult(body.detail);
      onMade?.();
      if (body.detail.pkcs12) download(body.detail.serial, body.detail.pkcs12);
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(false);
    }
  }

  if (result)
    return (
      <div className="card">
        <h3>Certificate {result.serial}</h3>
        <p role="status">
          {user
            ? result.rollout_state === 'review' || result.rollout_state === 'pending'
              ? `The request for ${user} is waiting for approval (${result.rollout_state}).`
              : result.pkcs12
                ? `The key and certificate for ${user} were downloaded. Hand the file and its password over safely: the server does not keep the key.`
                : `The certificate for ${user} is issued.`
            : result.rollout_state === 'review'
              ? 'Your certificate is waiting for review by an administrator.'
              : result.rollout_state === 'pending'
                ? 'Your request is waiting for approval.'
                : result.pkcs12
                  ? 'Your key and certificate were downloaded. Keep the file and its password safe: the server does not keep the key.'
                  : 'Your certificate is issued.'}
        </p>
        {result.pkcs12 && (
          <button onClick={() => download(result.serial, result.pkcs12)}>Download again</button>
        )}{' '}
        <button onClick={onDone}>Done</button>
      </div>
    );

  // Without a profile open to her, a user can still enroll the certificate her browser presents.
  const noProfile = choosing && options?.length === 0;
  if (noProfile && mode !== 'browser') setMode('browser');

  return (
    <form className="card" onSubmit={submit} aria-label="Request a certificate">
      {noProfile && (
        <p className="hint">No CA profile is open to you: a new certificate needs an administrator first.</p>
      )}
      {choosing && options?.length > 1 && (
        <fieldset>
          <legend>Which certificate?</legend>
          {options.map((o, i) => (
            <label key={`${o.ca}/${o.profile}`} className="choice">
              <input type="radio" name="profile" checked={picked === i} onChange={() => setPicked(i)} />
              <span>
                <strong>{o.profile}</strong> from {o.ca}: {terms(o.validity_days)}; keys {o.key_types.join(', ')}
                {o.approval ? '; an approver decides' : ''}
              </span>
            </label>
          ))}
        </fieldset>
      )}
      {choosing && options?.length === 1 && (
        <p className="hint">
          Certificate <strong>{option.profile}</strong> from {option.ca}: {terms(option.validity_days)}; keys{' '}
          {option.key_types.join(', ')}
          {option.approval ? '; an approver decides' : ''}.
        </p>
      )}
      {option?.validity_days.length > 1 && (
        <label>
          Valid for{' '}
          <select name="validity_days" key={`${option.ca}/${option.profile}`}>
            {option.validity_days.map((days) => (
              <option key={days} value={days}>
                {days} days
              </option>
            ))}
          </select>
        </label>
      )}
      <fieldset>
        <legend>{user ? `How should ${user}'s certificate be made?` : 'How do you want your certificate?'}</legend>
        {(user
          ? [
              ['genkey', 'The server makes the key (a .p12 file to download and hand over)'],
              ['csr', 'From a certificate signing request (CSR)'],
            ]
          : [
              ['genkey', 'The server makes my key (a .p12 file to download)'],
              ['csr', 'I have a certificate signing request (CSR)'],
              ['browser', 'The certificate my browser presents'],
            ].filter(([value]) => !noProfile || value === 'browser')
        ).map(([value, label]) => (
          <label key={value} className="choice">
            <input
              type="radio"
              name="mode"
              value={value}
              checked={mode === value}
              onChange={() => setMode(value)}
              autoFocus={mode === value}
            />
            {label}
          </label>
        ))}
      </fieldset>
      {mode === 'csr' && (
        <>
          <label>
            CSR (PEM) <textarea name="csr" rows="6" placeholder="-----BEGIN CERTIFICATE REQUEST-----" />
          </label>
          <label>
            or a file <input type="file" name="csrfile" accept=".csr,.pem,.req" />
          </label>
        </>
      )}
      {mode === 'genkey' && (
        <>
          {option?.key_types.length > 1 && (
            <label>
              Key type{' '}
              <select name="key_type" key={`${option.ca}/${option.profile}`}>
                {option.key_types.map((type) => (
                  <option key={type}>{type}</option>
                ))}
              </select>
            </label>
          )}
          <label>
            Password for the file{' '}
            <input name="password" type="password" minLength="8" required value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
          </label>
          <meter min="0" max="4" value={strength(password)} aria-label="Password strength" />
          <span className="hint">{['too short', 'weak', 'fair', 'good', 'strong'][strength(password)]}</span>
          <label>
            The same password again <input name="password2" type="password" minLength="8" required autoComplete="new-password" />
          </label>
        </>
      )}
      {user && (
        <fieldset>
          <legend>For a device (only for profiles that name them)</legend>
          <label>
            Device IP address <input name="ip" placeholder="192.0.2.7" />
          </label>
          <label>
            Device serial number <input name="device_serial" />
          </label>
        </fieldset>
      )}
      {error && <p role="alert" className="error">{error}</p>}
      <div className="buttons">
        <button type="submit" disabled={busy || (choosing && !options)}>
          Request the certificate
        </button>
        {onDone && (
          <button type="button" className="secondary" onClick={onDone}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

// "365 days", or "365 or 730 days".
function terms(days) {
  return `${days.length > 1 ? days.slice(0, -1).join(', ') + ' or ' + days.at(-1) : days[0]} days`;
}

// 0 (under 8 characters) to 4: length and kinds of characters.
function strength(password) {
  if (password.length < 8) return 0;
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(password)).length;
  return Math.min(4, (password.length >= 14 ? 2 : 1) + Math.floor(kinds / 2));
}

function download(serial, base64) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/x-pkcs12' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${serial}.p12`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
