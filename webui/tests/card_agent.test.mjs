// End to end in headless Chromium with SoftHSM2 cards and a running tessera-card agent: an admin
// enrolls a fresh card on behalf of alice through the WebUI (pairing, the card's details, a new
// PIN checked against the server's rules as it is typed, the SO PIN, the steps), alice enrolls a
// card of her own that has a PIN; pkcs11-tool finds the key and the certificate on each card. A
// page of another origin cannot use the agent: its preflight is refused, and a request without
// the pairing secret gets 403. The agent's log holds no PIN.
// Usage: node card_agent.test.mjs SERVER_BINARY PLUGIN_DIR WEBUI_DIR SCREENSHOT_DIR
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fail, scenario } from './harness.mjs';

const module = '/usr/lib/softhsm/libsofthsm2.so';
const cardTool = join(dirname(resolve(process.argv[2])), 'tessera-card');

await scenario(
  [],
  async ({ url, api, request, admin, certificate, work, screenshots, browser, newPage, logIn }) => {
    // Two cards: card1 fresh (an SO PIN, no user PIN), card2 with a user PIN.
    const conf = join(work, 'softhsm2.conf');
    mkdirSync(join(work, 'tokens'));
    writeFileSync(conf, `directories.tokendir = ${join(work, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
    const env = { ...process.env, SOFTHSM2_CONF: conf };
    const tool = (args) => execFileSync('pkcs11-tool', ['--module', module, ...args], { env, encoding: 'utf8', timeout: 30000, stdio: ['ignore', 'pipe', 'pipe'] });
    tool(['--init-token', '--slot-index', '0', '--so-pin', '12345678', '--label', 'card1']);
    execFileSync('softhsm2-util', ['--init-token', '--free', '--label', 'card2', '--so-pin', '12345678', '--pin', '654321'], { env, timeout: 30000, stdio: 'ignore' });

    await api('/caconnector/corp', { type: 'ca_local' }, admin);
    await api('/caconnector/corp/profile/card', { key_types: 'ec-p256', extended_key_usage: 'clientAuth,smartcardLogon', san_upn: '1', san_email: '0' }, admin);
    await api('/policy/cardpins', { scope: 'enrollment', action: 'smartcard_pin_min_length=6,smartcard_pin_contents=n' }, admin);

    // The agent, for this server's pages.
    const port = 20000 + Math.floor(Math.random() * 20000);
    const agent = spawn(cardTool, ['agent', '--module', module, '--server', url, '--cacert', certificate, '--port', String(port)], { env });
    process.on('exit', () => agent.kill('SIGKILL'));
    let log = '';
    agent.stderr.on('data', (chunk) => (log += chunk));
    const secret = await new Promise((done, failed) => {
      let out = '';
      agent.stdout.on('data', (chunk) => {
        out += chunk;
        const m = out.match(/pairing secret: ([0-9a-f]+)/);
        if (m) done(m[1]);
      });
      agent.on('exit', (code) => failed(new Error(`the agent exited (${code}): ${log}`)));
      setTimeout(() => failed(new Error('the agent did not start')), 15000).unref();
    });
    const agentUrl = `http://127.0.0.1:${port}`;
    try {
      const pair = async (page) => {
        const form = page.getByRole('form', { name: 'Pair with the card agent' });
        await form.getByLabel('Agent address').fill(agentUrl);
        await form.getByLabel('Pairing secret').fill(secret);
        await form.getByRole('button', { name: 'Pair' }).click();
      };

      // An admin, on behalf of alice, with the fresh card.
      const page = await newPage({ ignoreHTTPSErrors: true });
      await logIn(page, 'admin', 'webui-admin-pw');
      // From the user's row on the Users page.
      await page.getByRole('button', { name: 'Users' }).click();
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('button', { name: 'Certificates of alice' }).click();
      const certificates = page.getByRole('region', { name: 'Certificates of alice' });
      await certificates.getByText('No smart card or certificate yet.').waitFor();
      await certificates.getByRole('button', { name: 'Enroll on behalf: a smart card' }).click();
      await page.screenshot({ path: join(screenshots, 'smartcard-1-pair.png'), fullPage: true });
      await pair(page);
      const cards = page.getByRole('group', { name: 'The card in the reader' });
      await cards.getByText(/card1 \(serial .*SoftHSM.*user PIN not set yet/).waitFor();
      await cards.getByText(/card2 .*user PIN set/).waitFor();
      await cards.getByRole('radio', { name: /^card1/ }).check();
      await page.screenshot({ path: join(screenshots, 'smartcard-2-card.png'), fullPage: true });
      await page.getByRole('button', { name: 'Enroll this card' }).click();
      const pins = page.getByRole('form', { name: 'Card PIN' });
      await pins.getByLabel('New card PIN').fill('abcdefg');
      await pins.getByText('The PIN needs a digit.').waitFor();
      if (await pins.getByRole('button', { name: 'Enroll the card' }).isEnabled()) fail('a PIN against the rules can be sent');
      await pins.getByLabel('New card PIN').fill('135790');
      await pins.getByText('The PIN meets the rules.').waitFor();
      await pins.getByLabel('The new PIN again').fill('135790');
      await pins.getByLabel("The card's SO PIN").fill('12345678');
      await page.screenshot({ path: join(screenshots, 'smartcard-3-pin.png'), fullPage: true });
      await pins.getByRole('button', { name: 'Enroll the card' }).click();
      await page.getByRole('status').filter({ hasText: 'The card is enrolled' }).waitFor({ timeout: 30000 });
      for (const step of ['user PIN set', 'key made on the card (ec-p256)', 'certificate written to the card', 'is enrolled'])
        await page.getByRole('listitem').filter({ hasText: step }).first().waitFor();
      await page.screenshot({ path: join(screenshots, 'smartcard-4-done.png'), fullPage: true });
      // Back on alice's row: the card with its state and expiry, which the admin can revoke.
      await page.getByRole('button', { name: 'Done' }).click();
      const cardRow = page.getByRole('region', { name: 'Certificates of alice' }).locator('tr', { hasText: 'smart card' });
      await cardRow.filter({ hasText: 'enrolled' }).waitFor();
      if (!/\d{4}-\d{2}-\d{2}/.test(await cardRow.textContent())) fail('no expiry shown: ' + (await cardRow.textContent()));
      await cardRow.getByRole('button', { name: 'Replace the card' }).waitFor();
      const listed = (await request('GET', '/token/?type=smartcard&user=alice&realm=corp', undefined, admin)).json.result.value.tokens;
      if (listed.length !== 1 || listed[0].rollout_state !== 'enrolled') fail('the admin\'s card: ' + JSON.stringify(listed));
      const onCard1 = tool(['--token-label', 'card1', '--login', '--pin', '135790', '-O']);
      if (!onCard1.includes('Private Key Object; EC') || !onCard1.includes('never extractable') || !onCard1.includes('Certificate Object'))
        fail('card1 holds: ' + onCard1);

      // Alice, for herself, with the card that has a PIN.
      const own = await newPage({ ignoreHTTPSErrors: true });
      await logIn(own, 'alice', 'alice-password', 'corp');
      await own.getByRole('button', { name: 'Enroll a smart card' }).click();
      await pair(own);
      await own.getByRole('group', { name: 'The card in the reader' }).getByRole('radio', { name: /^card2/ }).check();
      await own.getByRole('button', { name: 'Enroll this card' }).click();
      await own.getByRole('form', { name: 'Card PIN' }).getByLabel('Card PIN').fill('654321');
      await own.getByRole('button', { name: 'Enroll the card' }).click();
      await own.getByRole('status').filter({ hasText: 'The card is enrolled' }).waitFor({ timeout: 30000 });
      await own.getByRole('button', { name: 'Done' }).click();
      await own.locator('tr', { hasText: 'smartcard' }).filter({ hasText: 'enrolled' }).first().waitFor();
      await own.screenshot({ path: join(screenshots, 'smartcard-5-user-tokens.png'), fullPage: true });
      const mine = (await request('GET', '/token/?type=smartcard&user=alice&realm=corp', undefined, admin)).json.result.value.tokens;
      if (mine.filter((t) => t.rollout_state === 'enrolled').length !== 2) fail('alice\'s cards: ' + JSON.stringify(mine));
      if (!tool(['--token-label', 'card2', '--login', '--pin', '654321', '-O']).includes('Certificate Object')) fail('no certificate on card2');
      // The agent's status: the card's certificates and their tokens' state, with alice's session.
      const aliceToken = (await api('/auth', { username: 'alice', password: 'alice-password', realm: 'corp' })).token;
      const status = await (
        await fetch(agentUrl + '/status', {
          method: 'POST',
          headers: { 'X-Tessera-Pairing': secret, Authorization: aliceToken, 'Content-Type': 'application/json' },
          body: JSON.stringify({ token_label: 'card2' }),
        })
      ).json();
      if (status.certificates?.length !== 1 || status.certificates[0].state !== 'enrolled') fail('the status of card2: ' + JSON.stringify(status));

      // Another origin: a page of a second local server cannot use the agent.
      const other = createServer((req, res) => res.end('<html><body><h1>Other</h1></body></html>'));
      await new Promise((done) => other.listen(0, '127.0.0.1', done));
      try {
        const stranger = await browser.newPage();
        await stranger.goto(`http://127.0.0.1:${other.address().port}/`);
        const outcome = await stranger.evaluate(
          ([agentAt, pairing]) =>
            fetch(agentAt + '/cards', { headers: { 'X-Tessera-Pairing': pairing } }).then(
              (r) => `read ${r.status}`,
              (e) => `refused: ${e.message}`,
            ),
          [agentUrl, secret],
        );
        if (!outcome.startsWith('refused')) fail('a page of another origin used the agent: ' + outcome);
        await stranger.close();
      } finally {
        other.close();
      }
      const preflight = await fetch(agentUrl + '/cards', { method: 'OPTIONS', headers: { Origin: 'http://127.0.0.1:1', 'Access-Control-Request-Method': 'GET' } });
      if (preflight.status !== 403 || preflight.headers.get('access-control-allow-origin')) fail(`the stranger's preflight: ${preflight.status}`);
      const unpaired = await fetch(agentUrl + '/cards');
      if (unpaired.status !== 403) fail(`without the pairing secret: ${unpaired.status}`);
      for (const pin of ['135790', '12345678', '654321']) if (log.includes(pin)) fail('the agent logged a PIN: ' + log);
      if (!log.includes('POST /finish from ' + url)) fail('the agent did not log the requests: ' + log);
    } finally {
      agent.kill('SIGTERM');
    }
    return "an admin enrolled a fresh card for alice and alice her own through the agent; pkcs11-tool finds key and certificate; another origin and a request without the pairing secret are refused; no PIN in the agent's log";
  },
  { tls: true },
);
