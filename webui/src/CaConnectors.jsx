import { useEffect, useRef, useState } from 'react';
import { call } from './api.js';
import { ConfirmButton } from './AdminParts.jsx';
import Messages from './Messages.jsx';

// CA connectors: each one's settings (secrets shown as ***), its published CA certificate and
// CRL, and its certificate profiles; a connector made or replaced from the fields of its type,
// profiles added, replaced or deleted, connectors deleted after a confirmation.

// Hand-made forms for the bundled types (ca_local is plugins/ca_local); any other loaded type
// gets a form built from the parameters its plugin declares (GET /system/plugins). An admin who
// may not read the plugin list (configread) is offered these alone.
const TYPES = {
  ca_local: {
    label: 'Local CA (OpenSSL, in process)',
    fields: [
      { key: 'key_type', label: 'Key type', values: ['ec-p256', 'ec-p384', 'rsa-3072', 'rsa-4096'], source: 'new' },
      { key: 'common_name', label: 'Common name', placeholder: 'Tessera CA', source: 'new' },
      { key: 'validity_days', label: 'Validity of the CA certificate (days)', placeholder: '3650', numeric: true, source: 'new' },
      { key: 'certificate', label: 'CA certificate (PEM)', multiline: true, source: 'import' },
      { key: 'private_key', label: "The CA's private key (PEM)", multiline: true, secret: true, source: 'import' },
    ],
    // The two ways to get a local CA, each with its own fields.
    sources: { new: 'Make a new CA (its key is made now)', import: 'Import an existing CA (its certificate and key)' },
    hint: 'A new local CA makes its key at once; it is kept sealed in the server under the connector name.',
  },
  ca_acme: {
    label: 'ACME CA (RFC 8555, External Account Binding)',
    fields: [
      { key: 'directory_url', label: 'Directory URL (https://…/directory)', placeholder: 'https://ca.corp.example/acme/directory' },
      { key: 'eab_kid', label: 'External Account Binding: key id' },
      { key: 'eab_hmac_key', label: 'External Account Binding: MAC key (base64url)', secret: true },
      { key: 'contact', label: 'Contact e-mail of the account', placeholder: 'pki@corp.example' },
      { key: 'terms_agreed', label: "Agree to the CA's terms of service", values: ['true', 'false'] },
      { key: 'ca_file', label: "Trust file for the CA's TLS (PEM path on the server; empty: the system's)" },
      { key: 'answer_challenges', label: 'Challenge types the CA validates on its own (e.g. http-01; empty: none)' },
      { key: 'account_key_type', label: 'Account key', values: ['ec-p256', 'rsa-3072'] },
      { key: 'timeout_seconds', label: 'Timeout per request (seconds)', placeholder: '30', numeric: true },
    ],
    hint: 'The account is registered when the connector is saved, so a wrong binding is refused at once. Profiles for it name a DNS name (san_dns), the e-mail address, or a device\'s IP address and serial.',
  },
  ca_msca: {
    label: 'Microsoft CA (AD CS: enrollment web service or Web Enrollment)',
    fields: [
      { key: 'protocol', label: 'Protocol', values: ['wstep', 'certsrv'] },
      { key: 'url', label: 'URL (CES endpoint, or https://…/certsrv)', placeholder: 'https://ca.corp.example/CorpCA_CES_UsernamePassword/service.svc/CES' },
      { key: 'template', label: 'Certificate template (unless a profile names its own)', placeholder: 'User' },
      { key: 'auth', label: 'Login', values: ['negotiate', 'usernametoken', 'basic', 'certificate', 'ntlm'] },
      { key: 'username', label: 'Service account (for Kerberos its principal)', placeholder: 'svc-tessera@CORP.EXAMPLE' },
      { key: 'password', label: 'Its password', secret: true },
      { key: 'keytab', label: 'Kerberos: keytab file instead of a password (path on the server)' },
      { key: 'client_certificate', label: 'Client certificate (PEM), for the Certificate endpoint', multiline: true },
      { key: 'client_key', label: 'Its private key (PEM)', multiline: true, secret: true },
      { key: 'cep_url', label: 'Enrollment policy service (CEP) URL, for the template list (empty: none)' },
      { key: 'ca_file', label: "Trust file for the server's TLS (PEM path on the server; empty: the system's)" },
      { key: 'timeout_seconds', label: 'Timeout per request (seconds)', placeholder: '30', numeric: true },
    ],
    hint: 'The login is tried when the connector is saved. Requests that the template holds for a CA manager stay pending until the manager decides; revocations must be done at the CA (listed under Revocations).',
  },
};
const KEY_TYPES = ['ec-p256', 'ec-p384', 'ec-p521', 'rsa-2048', 'rsa-3072', 'rsa-4096'];
const KEY_USAGES = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement'];
const EXTENDED_KEY_USAGES = ['clientAuth', 'emailProtection', 'smartcardLogon', 'serverAuth'];
const SUBJECT_FIELDS = ['CN', 'O', 'OU', 'C', 'L', 'ST', 'emailAddress'];

export default function CaConnectors() {
  const [connectors, setConnectors] = useState([]);
  const [editing, setEditing] = useState(null); // the connector loaded into the form
  const [profileFor, setProfileFor] = useState(null); // {ca, name?, profile?}
  const [made, setMade] = useState(0); // a new form after each save
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');

  async function load() {
    try {
      setConnectors((await call('GET', '/caconnector/')).result.value);
    } catch (e) {
      setError(e.message);
    }
  }
  const [types, setTypes] = useState({}); // loaded connector type -> {label, fields}
  const [typesNote, setTypesNote] = useState(''); // why only the built-in types are offered
  useEffect(() => {
    load();
    call('GET', '/system/plugins')
      .then((body) => setTypes(connectorTypes(body.result.value.plugins)))
      .catch((e) => {
        setTypes(TYPES);
        setTypesNote(`Only the built-in connector types are offered: the list of loaded plugins was refused (${e.message}).`);
      });
  }, []);

  // message: the notice, or a function that makes it from what action returned.
  async function run(message, action) {
    setError('');
    setNotice('');
    try {
      const result = await action();
      setNotice(typeof message === 'function' ? message(result) : message);
    } catch (e) {
      setError(e.message);
    }
    await load();
  }
  const saved = (message) => run(message, async () => {});

  // first: an action of the connector's to run before (an ACME account's deactivation).
  const removeConnector = (name, first) =>
    run(`CA connector ${name} deleted.`, async () => {
      await call('DELETE', `/caconnector/${encodeURIComponent(name)}${first ? `?run=${encodeURIComponent(first)}` : ''}`);
    });
  const runAction = (name, action) =>
    run(
      (message) => `${name}: ${message}.`,
      async () =>
        (await call('POST', `/caconnector/${encodeURIComponent(name)}/action/${encodeURIComponent(action)}`)).result.value.message,
    );
  const removeProfile = (ca, profile) =>
    run(`Profile ${profile} of ${ca} deleted.`, async () => {
      await call('DELETE', `/caconnector/${ca}/profile/${profile}`);
    });

  return (
    <section>
      <h1>CA connectors</h1>
      <Messages error={error} notice={notice} />
      {connectors.length === 0 && <p>No CA connector yet.</p>}
      {connectors.map((c) => (
        <article className="card" key={c.connectorname} aria-label={`CA connector ${c.connectorname}`}>
          <h3>
            {c.connectorname} <span className="hint">({c.type})</span>
          </h3>
          <dl className="settings">
            {Object.entries(c.data)
              .filter(([, value]) => String(value) !== '')
              .map(([key, value]) => (
              <div key={key}>
                <dt>{labelOf(types[c.type] || TYPES[c.type], key)}</dt>
                <dd>{String(value).length > 60 ? String(value).slice(0, 60) + '…' : String(value) || '—'}</dd>
              </div>
            ))}
          </dl>
          <p>
            <a href={`/ca/${c.connectorname}/cert`} download={`${c.connectorname}.pem`}>
              CA certificate (PEM)
            </a>{' '}
            ·{' '}
            <a href={`/ca/${c.connectorname}/crl`} download={`${c.connectorname}.crl`}>
              CRL (DER)
            </a>
          </p>
          {c.type === 'ca_msca' && <Revocations name={c.connectorname} />}
          <h4>Certificate profiles</h4>
          {Object.keys(c.templates).length === 0 ? (
            <p>No profile: users cannot request certificates from this CA yet.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th>Profile</th>
                  <th>Days</th>
                  <th>Key types</th>
                  <th>Usage</th>
                  <th>Subject</th>
                  <th>Approval</th>
                  <th>Actions</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(c.templates).map(([name, p]) => (
                  <tr key={name} data-profile={name}>
                    <td>{name}</td>
                    <td>{p.validity_days.join(', ')}</td>
                    <td>{p.key_types.join(', ')}</td>
                    <td>{[...p.key_usage, ...p.extended_key_usage].join(', ') || '—'}</td>
                    <td>
                      {p.subject.map(([f, v]) => `${f}=${v}`).join(', ')}
                      {p.san_email ? '; SAN e-mail' : ''}
                      {p.san_upn ? '; SAN UPN' : ''}
                      {p.san_dns ? `; SAN DNS ${p.san_dns}` : ''}
                      {p.san_ip ? '; SAN IP' : ''}
                      {p.san_permanent_identifier ? '; SAN device serial' : ''}
                      {p.ca_template ? `; template ${p.ca_template}` : ''}
                    </td>
                    <td>{p.approval ? 'yes' : 'no'}</td>
                    <td className="actions">
                      <button className="small" onClick={() => setProfileFor({ ca: c.connectorname, name, profile: p })}>
                        Edit
                      </button>
                      <ConfirmButton what={`profile ${name}`} onConfirm={() => removeProfile(c.connectorname, name)} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {profileFor?.ca === c.connectorname ? (
            <ProfileForm
              key={profileFor.name || ''}
              target={profileFor}
              onSaved={(name) => {
                setProfileFor(null);
                saved(`Profile ${name} of ${c.connectorname} saved.`);
              }}
              onCancel={() => setProfileFor(null)}
            />
          ) : (
            <p className="actions">
              <button className="small" onClick={() => setProfileFor({ ca: c.connectorname })}>
                Add a profile
              </button>
              <button className="small" onClick={() => setEditing(c)}>
                Edit the connector
              </button>
              <ConfirmButton
                what={`the connector ${c.connectorname}`}
                label="Delete the connector"
                note={`its profiles${c.type === 'ca_local' ? ' and its CA key' : ''} stay on the server: a connector of the same name gets them back`}
                onConfirm={() => removeConnector(c.connectorname)}
              />
              <ConnectorActions
                name={c.connectorname}
                onRun={(action) => runAction(c.connectorname, action)}
                onDelete={(action) => removeConnector(c.connectorname, action)}
              />
            </p>
          )}
        </article>
      ))}
      <ConnectorForm
        key={editing?.connectorname || `new-${made}`}
        editing={editing}
        types={types}
        typesNote={typesNote}
        taken={connectors.map((c) => c.connectorname)}
        onSaved={(message) => {
          setEditing(null);
          setMade(made + 1);
          saved(message);
        }}
        onCancel={() => setEditing(null)}
      />
    </section>
  );
}

// Certificates revoked in Tessera whose CA cannot be told through its protocol (AD CS): the
// list its administrator revokes by hand, newest first.
function Revocations({ name }) {
  const [list, setList] = useState(null);
  const [error, setError] = useState('');
  const show = () =>
    call('GET', `/ca/${encodeURIComponent(name)}/revocations`)
      .then((body) => setList(body.result.value))
      .catch((e) => setError(e.message));
  if (!list)
    return (
      <p>
        <button className="small" onClick={show}>
          Revocations to do at the CA
        </button>
        {error && <span className="error"> {error}</span>}
      </p>
    );
  return (
    <table aria-label={`Revocations to do at ${name}`}>
      <thead>
        <tr>
          <th>Certificate serial</th>
          <th>Revoked in Tessera</th>
          <th>Reason</th>
        </tr>
      </thead>
      <tbody>
        {list.length === 0 && (
          <tr>
            <td colSpan="3">None.</td>
          </tr>
        )}
        {list.map((r) => (
          <tr key={r.serial}>
            <td>{r.serial}</td>
            <td>{new Date(r.revoked_at * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC</td>
            <td>{r.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// What the connector's plugin offers besides issuing (an ACME account's key rollover; its
// deactivation as the connector is deleted), each run after a confirmation. A connector that
// cannot be reached now offers none: its card says so through the other links.
function ConnectorActions({ name, onRun, onDelete }) {
  const [actions, setActions] = useState([]);
  const [asking, setAsking] = useState(null); // {action, deleting}
  useEffect(() => {
    call('GET', `/caconnector/${encodeURIComponent(name)}/actions`)
      .then((body) => setActions(body.result.value))
      .catch(() => setActions([]));
  }, [name]);
  const label = (action) => action.name.replaceAll('_', ' ');
  if (asking)
    return (
      <span className="confirm" role="group" aria-label={`Confirm ${label(asking.action)}`}>
        {asking.deleting ? `Delete the connector ${name} after: ` : ''}
        {asking.action.description}?{' '}
        <button
          className="small danger"
          onClick={() => {
            setAsking(null);
            (asking.deleting ? onDelete : onRun)(asking.action.name);
          }}
        >
          Yes
        </button>
        <button className="small" autoFocus onClick={() => setAsking(null)}>
          Cancel
        </button>
      </span>
    );
  return actions.map((action) => (
    <span key={action.name}>
      <button className="small" title={action.description} onClick={() => setAsking({ action })}>
        {label(action)[0].toUpperCase() + label(action).slice(1)}
      </button>
      {action.on_delete && (
        <button className="small" title={`${action.description}, then delete the connector`} onClick={() => setAsking({ action, deleting: true })}>
          Delete and {label(action)}
        </button>
      )}
    </span>
  ));
}

// A new connector, or new settings for one (the server replaces them; a secret left out keeps
// its stored value). The version sent with it keeps two admins from overwriting each other.
// A setting's label on a connector's card: its form field's label, else its name.
function labelOf(type, key) {
  return type?.fields?.find((f) => f.key === key)?.label || key;
}

function ConnectorForm({ editing, types, typesNote, taken, onSaved, onCancel }) {
  const [name, setName] = useState(editing?.connectorname || '');
  const [chosen, setType] = useState(editing?.type || '');
  const type = chosen || (types.ca_local ? 'ca_local' : Object.keys(types)[0] || '');
  const [values, setValues] = useState(() =>
    Object.fromEntries(Object.entries(editing?.data || {}).map(([k, v]) => [k, v === '***' ? '' : String(v)])),
  );
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const heading = useRef(null);
  useEffect(() => {
    if (editing) heading.current?.focus();
  }, []);
  const sources = types[type]?.sources;
  const [source, setSource] = useState(editing?.data?.certificate ? 'import' : 'new');
  const fields = (types[type]?.fields || []).filter((f) => !sources || !f.source || f.source === source);
  const known = !!types[type]; // else a save would send none of the type's settings

  async function submit(event) {
    event.preventDefault();
    setError('');
    // The version read with the connector (0 for a new one): the server refuses the save if
    // another admin changed or made it meanwhile.
    const params = { type, version: editing ? editing.version : 0 };
    for (const f of fields) if ((values[f.key] || '') !== '') params[f.key] = values[f.key];
    setBusy(true);
    try {
      if (!editing && taken.includes(name)) throw new Error(`a CA connector '${name}' exists; edit it instead`);
      await call('POST', `/caconnector/${encodeURIComponent(name)}`, params);
      if (!editing) return onSaved(`CA connector ${name} created.`);
      onSaved(`CA connector ${name} saved.`);
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" onSubmit={submit} aria-label={editing ? `Edit CA connector ${name}` : 'New CA connector'}>
      <h3 ref={heading} tabIndex={-1}>
        {editing ? `Edit CA connector ${name}` : 'New CA connector'}
      </h3>
      {editing && (
        <p className="hint">
          Saving replaces the connector&apos;s settings; a secret left empty keeps its stored value. A local CA that exists keeps its key and certificate: the
          settings of a new CA do not change it.
        </p>
      )}
      <label>
        Connector name{' '}
        <input value={name} onChange={(e) => setName(e.target.value)} required readOnly={!!editing} />
      </label>
      <label>
        Connector type
        <select aria-label="Connector type" value={type} onChange={(e) => setType(e.target.value)} disabled={!!editing}>
          {Object.entries(types).map(([key, t]) => (
            <option key={key} value={key}>
              {key}: {t.label}
            </option>
          ))}
        </select>
      </label>
      {typesNote && <p className="hint">{typesNote}</p>}
      {types[type]?.hint && <p className="hint">{types[type].hint}</p>}
      {sources && !editing && (
        <fieldset>
          <legend>Which CA?</legend>
          {Object.entries(sources).map(([key, label]) => (
            <label key={key} className="choice">
              <input type="radio" name="source" checked={source === key} onChange={() => setSource(key)} />
              {label}
            </label>
          ))}
        </fieldset>
      )}
      {fields.map((f) => {
        const bind = {
          value: values[f.key] || '',
          onChange: (e) => setValues({ ...values, [f.key]: e.target.value }),
        };
        return (
          <label key={f.key}>
            {f.label}
            {f.values ? (
              <select aria-label={f.label} {...bind}>
                <option value="">the default</option>
                {f.values.map((v) => (
                  <option key={v}>{v}</option>
                ))}
              </select>
            ) : f.multiline ? (
              <textarea rows="4" {...bind} placeholder={f.secret && editing ? 'kept by the server (***)' : ''} />
            ) : (
              <input
                {...bind}
                type={f.secret ? 'password' : 'text'}
                placeholder={f.secret && editing ? 'kept by the server (***)' : f.placeholder}
                inputMode={f.numeric ? 'numeric' : undefined}
              />
            )}
          </label>
        );
      })}
      {error && <p role="alert" className="error">{error}</p>}
      <span className="pair">
        <button type="submit" disabled={busy || !known}>
          {editing ? 'Save the connector' : 'Create the connector'}
        </button>
        {editing && (
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </span>
    </form>
  );
}

// A certificate profile: created, or replaced under the same name.
function ProfileForm({ target, onSaved, onCancel }) {
  const p = target.profile;
  const [name, setName] = useState(target.name || '');
  const [days, setDays] = useState(p ? p.validity_days.join(',') : '365');
  const [chosen, setChosen] = useState({
    key_types: p?.key_types || [],
    key_usage: p?.key_usage || [],
    extended_key_usage: p?.extended_key_usage || [],
  });
  const [subject, setSubject] = useState(p ? Object.fromEntries(p.subject) : { CN: '{username}' });
  const [flags, setFlags] = useState({
    san_email: !!p?.san_email,
    san_upn: !!p?.san_upn,
    san_ip: !!p?.san_ip,
    san_permanent_identifier: !!p?.san_permanent_identifier,
    approval: !!p?.approval,
  });
  const [dns, setDns] = useState(p?.san_dns || '');
  const [caTemplate, setCaTemplate] = useState(p?.ca_template || '');
  // A connector that can list its CA's templates (a Microsoft CA with a CEP) offers them.
  const [canList, setCanList] = useState(false);
  const [templates, setTemplates] = useState([]);
  useEffect(() => {
    call('GET', `/caconnector/${encodeURIComponent(target.ca)}/actions`)
      .then((body) => setCanList(body.result.value.some((a) => a.name === 'list_templates')))
      .catch(() => setCanList(false));
  }, [target.ca]);
  const listTemplates = () =>
    call('POST', `/caconnector/${encodeURIComponent(target.ca)}/action/list_templates`)
      .then((body) => setTemplates(body.result.value.values || []))
      .catch((e) => setError(e.message));
  const [error, setError] = useState('');

  async function submit(event) {
    event.preventDefault();
    setError('');
    const params = { validity_days: days };
    for (const [key, list] of Object.entries(chosen)) if (list.length) params[key] = list.join(',');
    for (const [field, value] of Object.entries(subject)) if (value) params[`subject.${field}`] = value;
    for (const [key, on] of Object.entries(flags)) params[key] = on ? '1' : '0';
    params.san_dns = dns;
    params.ca_template = caTemplate;
    try {
      await call('POST', `/caconnector/${target.ca}/profile/${encodeURIComponent(name)}`, params);
      onSaved(name);
    } catch (e) {
      setError(e.message);
    }
  }

  const toggle = (group, value) =>
    setChosen({
      ...chosen,
      [group]: chosen[group].includes(value) ? chosen[group].filter((v) => v !== value) : [...chosen[group], value],
    });
  const checkboxes = (group, legend, values, hint) => (
    <fieldset>
      <legend>{legend}</legend>
      {hint && <span className="hint">{hint}</span>}
      {values.map((v) => (
        <label key={v} className="choice">
          <input type="checkbox" checked={chosen[group].includes(v)} onChange={() => toggle(group, v)} />
          {v}
        </label>
      ))}
    </fieldset>
  );

  return (
    <form className="card inner" onSubmit={submit} aria-label={`Certificate profile for ${target.ca}`}>
      <h4>{target.name ? `Profile ${target.name} of ${target.ca}` : `New profile for ${target.ca}`}</h4>
      <label>
        Profile name{' '}
        <input value={name} onChange={(e) => setName(e.target.value)} required readOnly={!!target.name} />
      </label>
      <label>
        Validity (days, comma-separated; the first is the default){' '}
        <input value={days} onChange={(e) => setDays(e.target.value)} required />
      </label>
      {checkboxes('key_types', 'Key types', KEY_TYPES, 'none chosen: all but ec-p521 and rsa-2048')}
      {checkboxes('key_usage', 'Key usage', KEY_USAGES)}
      {checkboxes('extended_key_usage', 'Extended key usage', EXTENDED_KEY_USAGES)}
      <fieldset>
        <legend>Subject</legend>
        <span className="hint">
          Tags: {'{username} {givenname} {surname} {email} {organization} {department} {realm}'}
        </span>
        {SUBJECT_FIELDS.map((f) => (
          <label key={f}>
            Subject {f}
            {f === 'CN' ? ' (required)' : ''}{' '}
            <input
              value={subject[f] || ''}
              onChange={(e) => setSubject({ ...subject, [f]: e.target.value })}
              required={f === 'CN'}
            />
          </label>
        ))}
      </fieldset>
      <label>
        The CA&apos;s certificate template (a Microsoft CA; empty: the connector&apos;s){' '}
        <input value={caTemplate} onChange={(e) => setCaTemplate(e.target.value)} placeholder="User" list={`templates-${target.ca}`} />
        <datalist id={`templates-${target.ca}`} aria-label="Templates the CA offers">
          {templates.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
      </label>
      {canList && (
        <button type="button" className="small" onClick={listTemplates}>
          Templates from the CA{templates.length ? ` (${templates.length})` : ''}
        </button>
      )}
      <label>
        DNS name as an alternative name (a template; what an ACME CA orders){' '}
        <input value={dns} onChange={(e) => setDns(e.target.value)} placeholder="{username}.devices.corp.example" />
      </label>
      {[
        ['san_email', "The user's e-mail address as an alternative name"],
        ['san_upn', 'A user principal name (UPN) as an alternative name'],
        ['san_ip', "The device's IP address (ip, given by the admin who enrolls it) as an alternative name"],
        ['san_permanent_identifier', "The device's serial number (device_serial, given by the admin) as a permanent identifier"],
        ['approval', 'An admin approves each request'],
      ].map(([key, label]) => (
        <label key={key} className="choice">
          <input type="checkbox" checked={flags[key]} onChange={(e) => setFlags({ ...flags, [key]: e.target.checked })} />
          {label}
        </label>
      ))}
      {error && <p role="alert" className="error">{error}</p>}
      <span className="pair">
        <button type="submit">Save the profile</button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </span>
    </form>
  );
}

// The loaded CA connector types with their form fields: the hand-made ones where the WebUI has
// them, else one field per declared parameter (booleans as a choice, lists comma-separated).
function connectorTypes(plugins) {
  const result = {};
  for (const plugin of plugins)
    for (const c of plugin.components) {
      if (c.kind !== 'ca_connector') continue;
      result[c.type] = TYPES[c.type] || {
        label: c.display_name || c.type,
        fields: c.params.map((p) => ({
          key: p.key,
          label: `${p.key}${p.required ? ' (required)' : ''}${p.description ? ': ' + p.description : ''}`,
          placeholder: p.default === null || p.default === undefined ? '' : String(p.default),
          numeric: p.type === 'integer',
          values: p.type === 'boolean' ? ['true', 'false'] : undefined,
          secret: p.secret,
        })),
      };
    }
  return result;
}
