import { useEffect, useState } from 'react';
import { sessionToken } from './api.js';

// A smart card, through the tessera-card agent on this computer (browsers cannot reach PKCS#11):
// the agent's address and pairing secret (asked once, kept for this site), the card the reader
// sees, then the PIN dialog with the server's rules checked as they are typed, and the steps the
// agent took with the card. PINs go from this page to the agent only, never to the server. An
// admin enrolls for a user by giving user and realm; ca and profile name the certificate.
const STORE = 'tessera.cardAgent';

// replaces: the serial of the user's card this one replaces (revoked once this one confirms).
export default function EnrollSmartcard({ user, realm, ca, profile, replaces, onDone, onMade }) {
  const [agent, setAgent] = useState(() => JSON.parse(localStorage.getItem(STORE) || 'null'));
  const [cards, setCards] = useState(null); // null: not asked yet
  const [unreachable, setUnreachable] = useState('');
  const [error, setError] = useState('');
  const [label, setLabel] = useState('');
  const [started, setStarted] = useState(null); // the server's first step, through the agent
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState(null);

  async function ask(method, path, body) {
    const response = await fetch(agent.url + path, {
      method,
      headers: {
        'X-Tessera-Pairing': agent.secret,
        Authorization: sessionToken(),
        ...(body ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const answer = await response.json().catch(() => ({}));
    if (response.status === 403) throw Object.assign(new Error(answer.error || 'refused'), { pairing: true });
    if (answer.error) throw new Error(`${answer.step ? answer.step + ': ' : ''}${answer.error}${answer.todo ? ` (${answer.todo})` : ''}`);
    return answer;
  }

  async function findCards() {
    setUnreachable('');
    setError('');
    try {
      const answer = await ask('GET', '/cards');
      setCards(answer.cards);
      if (answer.cards.length) setLabel(answer.cards[0].label);
    } catch (e) {
      if (e.pairing) setError(`The agent refused: ${e.message}. Enter the pairing secret it printed.`);
      else setUnreachable(agent.url);
      setCards(null);
    }
  }
  useEffect(() => {
    if (agent) findCards();
  }, [agent]);

  if (!agent || (error && !cards))
    return <Pairing current={agent} error={error} onSave={(a) => { localStorage.setItem(STORE, JSON.stringify(a)); setError(''); setAgent(a); }} onCancel={onDone} />;
  if (unreachable) return <NoAgent url={unreachable} onRetry={findCards} onChange={() => setAgent(null)} onCancel={onDone} />;
  if (cards === null) return <p className="card">Asking the card agent…</p>;

  const card = cards.find((c) => c.label === label);
  if (result)
    return (
      <div className="card" aria-label="Smart card enrolled">
        <h3>Smart card {result.serial}</h3>
        <ol className="steps">
          {result.steps.map((step) => (
            <li key={step}>{step}</li>
          ))}
        </ol>
        <p role="status">
          {result.state === 'enrolled'
            ? `The card is enrolled: ${result.subject}, certificate ${result.certificate_serial}, valid until ${result.not_after}.`
            : result.state === 'pending'
              ? 'The request waits for an approver.'
              : `The certificate was ${result.state}${result.message ? ': ' + result.message : ''}.`}
        </p>
        <button onClick={onDone}>Done</button>
      </div>
    );

  async function begin() {
    setError('');
    setBusy(true);
    try {
      setStarted(await ask('POST', '/begin', { user, realm, ca, profile, replaces }));
      onMade?.();
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(false);
    }
  }
  async function finish(pin, soPin) {
    setError('');
    setBusy(true);
    try {
      setResult(await ask('POST', '/finish', { serial: started.serial, token_label: label, pin, so_pin: soPin }));
      onMade?.();
    } catch (e) {
      setError(e.message);
      setStarted(null); // the agent begins anew
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="card" aria-label="Enroll a smart card">
      <h3>
        {user ? `A smart card for ${user}` : 'Your smart card'}
        {replaces ? `, replacing ${replaces}` : ''}
      </h3>
      {cards.length === 0 ? (
        <p role="status">
          The agent sees no card. Insert the card into the reader.{' '}
          <button className="secondary" onClick={findCards}>
            Look again
          </button>
        </p>
      ) : (
        <fieldset>
          <legend>The card in the reader</legend>
          {cards.map((c) => (
            <label key={c.label} className="choice">
              <input type="radio" name="card" checked={label === c.label} onChange={() => setLabel(c.label)} disabled={!!started} />
              <span>
                <strong>{c.label}</strong> (serial {c.serial}, {c.manufacturer} {c.model}); user PIN{' '}
                {c.user_pin_locked ? 'blocked' : c.user_pin_set ? 'set' : 'not set yet'}
              </span>
            </label>
          ))}
        </fieldset>
      )}
      {error && <p role="alert" className="error">{error}</p>}
      {card && !started && (
        <div className="buttons">
          <button onClick={begin} disabled={busy}>
            Enroll this card
          </button>
          <button className="secondary" onClick={onDone}>
            Cancel
          </button>
        </div>
      )}
      {card && started && <PinForm card={card} rules={started.pin_rules} busy={busy} onSubmit={finish} onCancel={onDone} />}
      {busy && started && <p role="status">Working with the card: making the key, having the certificate issued, writing it…</p>}
    </div>
  );
}

// The PINs: a new user PIN entered twice with the server's rules checked as typed (and the SO
// PIN that sets it), or the card's PIN where it has one.
function PinForm({ card, rules, busy, onSubmit, onCancel }) {
  const [pin, setPin] = useState('');
  const [again, setAgain] = useState('');
  const [soPin, setSoPin] = useState('');
  const fresh = !card.user_pin_set;
  const broken = fresh ? pinBreaks(pin, rules) : '';
  const ready = pin && (!fresh || (!broken && pin === again && soPin));
  return (
    <form
      aria-label="Card PIN"
      onSubmit={(e) => {
        e.preventDefault();
        if (ready) onSubmit(pin, fresh ? soPin : '');
      }}
    >
      {fresh && (
        <p className="hint">
          The card&apos;s new PIN: {rules.min_length} to {rules.max_length} characters
          {rules.contents.includes('c') ? ', a letter' : ''}
          {rules.contents.includes('n') ? ', a digit' : ''}
          {rules.contents.includes('s') ? ', another character' : ''}. It stays between this computer and the card.
        </p>
      )}
      <label>
        {fresh ? 'New card PIN' : 'Card PIN'}
        <input type="password" value={pin} onChange={(e) => setPin(e.target.value)} autoComplete="off" required />
      </label>
      {fresh && (
        <>
          <span className="hint" aria-live="polite">
            {pin ? broken || 'The PIN meets the rules.' : ''}
          </span>
          <label>
            The new PIN again
            <input type="password" value={again} onChange={(e) => setAgain(e.target.value)} autoComplete="off" required />
          </label>
          {again && pin !== again && <span className="hint">The two PINs differ.</span>}
          <label>
            The card&apos;s SO PIN (it sets the new PIN)
            <input type="password" value={soPin} onChange={(e) => setSoPin(e.target.value)} autoComplete="off" required />
          </label>
        </>
      )}
      <div className="buttons">
        <button type="submit" disabled={!ready || busy}>
          Enroll the card
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

// The same rules as tessera-card checks (client/card/pin_rules.cpp).
function pinBreaks(pin, rules) {
  if (pin.length < rules.min_length || pin.length > rules.max_length)
    return `The PIN needs ${rules.min_length} to ${rules.max_length} characters.`;
  if (rules.contents.includes('c') && !/[A-Za-z]/.test(pin)) return 'The PIN needs a letter.';
  if (rules.contents.includes('n') && !/[0-9]/.test(pin)) return 'The PIN needs a digit.';
  if (rules.contents.includes('s') && !/[^A-Za-z0-9]/.test(pin)) return 'The PIN needs a character that is neither a letter nor a digit.';
  return '';
}

// Where the agent is and its pairing secret, asked once and kept for this site.
function Pairing({ current, error, onSave, onCancel }) {
  const [url, setUrl] = useState(current?.url || 'http://127.0.0.1:8999');
  const [secret, setSecret] = useState('');
  return (
    <form
      className="card"
      aria-label="Pair with the card agent"
      onSubmit={(e) => {
        e.preventDefault();
        onSave({ url: url.replace(/\/+$/, ''), secret: secret.trim() });
      }}
    >
      <h3>Pair with the card agent</h3>
      <p className="hint">The agent prints its address and a pairing secret when it starts. This site keeps them.</p>
      {error && <p role="alert" className="error">{error}</p>}
      <label>
        Agent address
        <input value={url} onChange={(e) => setUrl(e.target.value)} required />
      </label>
      <label>
        Pairing secret
        <input value={secret} onChange={(e) => setSecret(e.target.value)} required autoComplete="off" />
      </label>
      <div className="buttons">
        <button type="submit">Pair</button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

// No agent answers: how to install and start it, per platform.
function NoAgent({ url, onRetry, onChange, onCancel }) {
  const origin = window.location.origin;
  return (
    <div className="card" aria-label="No card agent">
      <h3>No card agent answers at {url}</h3>
      <p>Smart cards are reached through the tessera-card agent on this computer. Start it, then look again:</p>
      <ul>
        <li>
          Linux (Debian, Ubuntu): install the <code>tessera</code> package and <code>opensc</code>, then run{' '}
          <code>tessera-card agent --module /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so --server {origin}</code>
        </li>
        <li>
          macOS: install OpenSC, build tessera-card, then run <code>tessera-card agent --module /Library/OpenSC/lib/opensc-pkcs11.so --server {origin}</code>
        </li>
        <li>
          Windows: install OpenSC, then run <code>tessera-card agent --module &quot;C:\Program Files\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll&quot; --server {origin}</code> (not tested yet)
        </li>
      </ul>
      <div className="buttons">
        <button onClick={onRetry}>Look again</button>
        <button className="secondary" onClick={onChange}>
          Another address or secret
        </button>
        <button className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
