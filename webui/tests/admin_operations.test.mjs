// End to end in headless Chromium: an admin runs the server from the console. All tokens: a
// TOTP token and a certificate enrolled for alice, searching, paging (also when the last page is
// deleted), disabling, revoking, deleting, the history; the audit log filtered (times in the
// browser's time zone) and paged; a local CA connector with profiles made, edited and its
// certificate fetched; a dead webhook delivery in the outbox sent again; an event handler
// edited, disabled and deleted. After each step the REST API must show it.
// Usage: node admin_operations.test.mjs SERVER_BINARY PLUGIN_DIR WEBUI_DIR SCREENSHOT_DIR
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fail, scenario } from './harness.mjs';

// RFC 6238 with the defaults the server enrolls: SHA-1, 6 digits, 30 s.
function totp(base32, now = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of base32.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 30000)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1000000).padStart(6, '0');
}

// A webhook receiver that refuses (503) until told to accept.
async function startReceiver() {
  const receiver = { accepting: false, received: [] };
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      receiver.received.push({ delivery: request.headers['x-tessera-delivery'], body });
      response.writeHead(receiver.accepting ? 200 : 503).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${server.address().port}/hook`;
  receiver.close = () => server.close();
  return receiver;
}

async function until(what, check, seconds = 20) {
  for (const end = Date.now() + seconds * 1000; Date.now() < end; ) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  fail(`timed out waiting until ${what}`);
}

// A delivery is dead after its first failed attempt, and a retry comes within a second.
const config = 'events: { retry_base_seconds: 1, max_attempts: 1 }\n';

await scenario(
  ['400', '409'],
  async ({ api, request, admin, url, work, screenshots, newPage, logIn }) => {
    const get = async (path, params = {}) => {
      const query = new URLSearchParams(params).toString();
      const r = await fetch(url + path + (query ? '?' + query : ''), { headers: { Authorization: admin } });
      const json = await r.json();
      if (!json.result?.status) fail(`GET ${path}: ${JSON.stringify(json)}`);
      return json.result.value;
    };
    const expect = (what, actual, wanted) => {
      if (JSON.stringify(actual) !== JSON.stringify(wanted))
        fail(`${what}: ${JSON.stringify(actual)}, not ${JSON.stringify(wanted)}`);
    };

    // A TOTP token counts once its first value was shown; 23 HOTP tokens to page through.
    await api('/policy/verify', { scope: 'enrollment', action: 'verify_enrollment=totp' }, admin);
    for (let i = 0; i < 23; ++i)
      await api('/token/init', { type: 'hotp', genkey: '1', serial: `BULK${String(i).padStart(2, '0')}` }, admin);

    const page = await newPage({ acceptDownloads: true });
    await logIn(page, 'admin', 'webui-admin-pw');
    const tab = (name) =>
      page.getByRole('navigation', { name: 'Admin' }).getByRole('button', { name, exact: true }).click();
    const status = (text) => page.getByRole('status').filter({ hasText: text }).waitFor();
    const text = (t) => page.getByText(t, { exact: true }).waitFor();
    const serials = () => page.locator('tr[data-serial]').evaluateAll((rows) => rows.map((r) => r.dataset.serial));
    const row = (serial) => page.locator(`tr[data-serial="${serial}"]`);

    // --- All tokens: a TOTP token for alice, confirmed with its first code.
    await tab('All tokens');
    await text('Page 1 of 2 (23 tokens)');
    await page.getByRole('button', { name: 'Enroll a token for a user' }).click();
    const enroll = page.getByRole('form', { name: 'Enroll a token for a user' });
    await enroll.getByRole('combobox', { name: 'Realm of the user' }).selectOption('corp');
    await enroll.getByRole('combobox', { name: 'User', exact: true }).locator('option', { hasText: 'alice' }).waitFor({ state: 'attached' });
    await enroll.getByRole('combobox', { name: 'User', exact: true }).selectOption('alice');
    await enroll.getByRole('combobox', { name: 'Token type' }).selectOption('totp');
    await enroll.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Create the token' }).click();
    const secret = (await page.getByTestId('secret').textContent()).trim();
    if (!/^[A-Z2-7]{16,}=*$/.test(secret)) fail(`no secret on the page: '${secret}'`);
    if (!(await page.getByAltText('QR code of the new token').isVisible())) fail('no QR code');
    let owned = (await get('/token/', { user: 'alice', realm: 'corp' })).tokens;
    expect('alice owns', owned.map((t) => [t.tokentype, t.rollout_state, t.username, t.user_realm]), [['totp', 'verify', 'alice', 'corp']]);
    const serial = owned[0].serial;
    await page.getByLabel('Code from the app').fill(totp(secret));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await status('the token is enrolled');
    expect('after the code', (await get('/token/', { serial })).tokens[0].rollout_state, 'enrolled');
    await page.getByRole('button', { name: 'Done' }).click();

    // Search by serial, then page through the HOTP tokens 10 at a time.
    const search = page.getByRole('form', { name: 'Search tokens' });
    await search.getByLabel('Serial').fill(serial);
    await search.getByRole('button', { name: 'Search' }).click();
    await text('Page 1 of 1 (1 token)');
    expect('found by serial', await serials(), [serial]);
    await search.getByRole('combobox', { name: 'Per page' }).selectOption('10');
    await search.getByLabel('Serial').fill('BULK*');
    await search.getByRole('button', { name: 'Search' }).click();
    await text('Page 1 of 3 (23 tokens)');
    const pageOf = async (n) => (await get('/token/', { serial: 'BULK*', pagesize: 10, page: n })).tokens.map((t) => t.serial);
    expect('page 1', await serials(), await pageOf(1));
    await page.getByRole('button', { name: 'Next' }).click();
    await text('Page 2 of 3 (23 tokens)');
    expect('page 2', await serials(), await pageOf(2));
    await page.getByRole('button', { name: 'Next' }).click();
    await text('Page 3 of 3 (23 tokens)');
    expect('page 3', await serials(), await pageOf(3));
    if (!(await page.getByRole('button', { name: 'Next' }).isDisabled())) fail('Next on the last page');
    // The last page's tokens deleted (the last one here): the page shown is the new last one.
    const [lastOne, ...others] = await serials();
    for (const s of others) if ((await request('DELETE', `/token/${s}`, undefined, admin)).status !== 200) fail(`${s} not deleted`);
    await row(lastOne).getByRole('button', { name: 'Delete' }).click();
    await row(lastOne).getByRole('button', { name: 'Yes, delete' }).click();
    await status(`${lastOne}: deleted.`);
    await text('Page 2 of 2 (20 tokens)');
    expect('the new last page', await serials(), await pageOf(2));
    await page.getByRole('button', { name: 'Previous' }).click();
    await text('Page 1 of 2 (20 tokens)');
    // By owner: realm and user.
    await search.getByLabel('Serial').fill('');
    await search.getByRole('combobox', { name: 'Realm', exact: true }).selectOption('corp');
    await search.getByRole('textbox', { name: 'User', exact: true }).fill('alice');
    await search.getByRole('button', { name: 'Search' }).click();
    await text('Page 1 of 1 (1 token)');
    expect("alice's tokens", await serials(), [serial]);

    // Disable it; its history.
    await row(serial).getByRole('button', { name: 'Disable' }).click();
    await status(`${serial}: disabled.`);
    await row(serial).locator('td.state', { hasText: 'disabled' }).waitFor();
    expect('active on the server', (await get('/token/', { serial })).tokens[0].active, false);
    await row(serial).getByRole('button', { name: 'History' }).click();
    const history = page.getByRole('region', { name: `History of ${serial}` });
    await history.waitFor();
    const shown = await history.locator('tbody tr').evaluateAll((rows) =>
      rows.map((r) => [...r.cells].slice(1, 4).map((c) => c.textContent)),
    );
    const transitions = (await get(`/token/history/${serial}`)).transitions;
    expect('history', shown, transitions.map((t) => [t.from || '—', t.to, t.actor]));
    if (!shown.some(([, to, by]) => to === 'enrolled' && by === 'admin')) fail(`no enrollment by admin in ${shown}`);
    await page.screenshot({ path: join(screenshots, 'admin-tokens.png'), fullPage: true });
    await history.getByRole('button', { name: 'Close the history' }).click();

    // Delete one, after the confirmation.
    await search.getByRole('combobox', { name: 'Realm', exact: true }).selectOption('');
    await search.getByRole('textbox', { name: 'User', exact: true }).fill('');
    await search.getByLabel('Serial').fill('BULK05');
    await search.getByRole('button', { name: 'Search' }).click();
    await text('Page 1 of 1 (1 token)');
    await row('BULK05').getByRole('button', { name: 'Delete' }).click();
    if ((await get('/token/', { serial: 'BULK05' })).count !== 1) fail('deleted before the confirmation');
    await row('BULK05').getByRole('button', { name: 'Yes, delete' }).click();
    await status('BULK05: deleted.');
    expect('BULK05 on the server', (await get('/token/', { serial: 'BULK05' })).count, 0);

    // --- Audit log: the disable of that token, and the enrollments page by page.
    await tab('Audit log');
    const audit = page.getByRole('form', { name: 'Search the audit log' });
    await audit.getByLabel('Action').fill('POST /token/disable/<serial>');
    await audit.getByLabel('Serial').fill(serial);
    await audit.getByRole('button', { name: 'Search' }).click();
    await text('Page 1 of 1 (1 entry)');
    const disabled = (await get('/audit/', { action: 'POST /token/disable/<serial>', serial })).auditdata;
    expect('audit rows', await page.locator('tr[data-number]').evaluateAll((rows) => rows.map((r) => Number(r.dataset.number))), disabled.map((e) => e.number));
    expect('audit action', await page.locator('tr[data-number] td.action').allTextContents(), ['POST /token/disable/<serial>']);
    // Shown in the browser's time zone (this process's too: both follow TZ).
    const local = (ms) => new Date(ms - new Date(ms).getTimezoneOffset() * 60000).toISOString(); // as if UTC
    expect('audit time', await page.locator('tr[data-number] td').nth(1).textContent(), local(disabled[0].date * 1000).slice(0, 19).replace('T', ' '));
    const auditRows = () => page.locator('tr[data-number]').count();
    await audit.getByRole('combobox', { name: 'Outcome' }).selectOption('0');
    await audit.getByRole('button', { name: 'Search' }).click();
    await text('Page 1 of 1 (0 entries)');
    expect('failed disables shown', await auditRows(), 0);
    // A time range in local time, as datetime-local inputs take it: from an hour ahead finds
    // nothing, from an hour ago to now the row. Each search starts from the other's answer, so
    // only a fresh response can pass.
    const minute = (ms) => local(ms).slice(0, 16);
    await audit.getByRole('combobox', { name: 'Outcome' }).selectOption('');
    await audit.getByLabel('From', { exact: true }).fill(minute(Date.now() - 3600000));
    await audit.getByLabel('To', { exact: true }).fill(minute(Date.now()));
    await audit.getByRole('button', { name: 'Search' }).click();
    await text('Page 1 of 1 (1 entry)');
    expect('from an hour ago', await page.locator('tr[data-number] td.action').allTextContents(), ['POST /token/disable/<serial>']);
    const ahead = Date.now() + 3600000;
    await audit.getByLabel('From', { exact: true }).fill(minute(ahead));
    await audit.getByLabel('To', { exact: true }).fill('');
    await audit.getByRole('button', { name: 'Search' }).click();
    await text('Page 1 of 1 (0 entries)');
    expect('from an hour ahead', await auditRows(), 0);
    const since = Math.floor(new Date(minute(ahead)).getTime() / 1000);
    expect('the server from an hour ahead', (await get('/audit/', { action: 'POST /token/disable/<serial>', serial, since })).count, 0);
    expect('the server from an hour ago', (await get('/audit/', { action: 'POST /token/disable/<serial>', serial, since: since - 7200 })).count, 1);
    await audit.getByLabel('From', { exact: true }).fill('');
    await audit.getByLabel('To', { exact: true }).fill('');
    await audit.getByLabel('Serial').fill('');
    await audit.getByLabel('Action').fill('POST /token/init');
    await audit.getByRole('combobox', { name: 'Outcome' }).selectOption('1');
    await audit.getByRole('combobox', { name: 'Per page' }).selectOption('10');
    await audit.getByRole('button', { name: 'Search' }).click();
    const inits = await get('/audit/', { action: 'POST /token/init', success: '1', page_size: 10, page: 2 });
    if (inits.count < 25) fail(`only ${inits.count} enrollments audited`);
    await text(`Page 1 of ${Math.ceil(inits.count / 10)} (${inits.count} entries)`);
    await page.getByRole('button', { name: 'Next' }).click();
    await text(`Page 2 of ${Math.ceil(inits.count / 10)} (${inits.count} entries)`);
    expect('audit page 2', await page.locator('tr[data-number]').evaluateAll((rows) => rows.map((r) => Number(r.dataset.number))), inits.auditdata.map((e) => e.number));
    await page.screenshot({ path: join(screenshots, 'admin-audit.png'), fullPage: true });

    // --- CA connectors: a local CA with a profile, its certificate and CRL, an edit.
    await tab('CA connectors');
    await text('No CA connector yet.');
    const form = page.getByRole('form', { name: 'New CA connector' });
    await form.getByLabel('Connector name').fill('corp-ca');
    await form.getByRole('combobox', { name: 'Connector type' }).selectOption('ca_local');
    await form.getByRole('combobox', { name: 'Key type', exact: true }).selectOption('ec-p384');
    await form.getByLabel('Common name', { exact: true }).fill('Corp Test CA');
    await form.getByRole('button', { name: 'Create the connector' }).click();
    await status('CA connector corp-ca created.');
    let [ca] = await get('/caconnector/corp-ca');
    expect('the connector', [ca.type, ca.data.key_type, ca.data.common_name], ['ca_local', 'ec-p384', 'Corp Test CA']);
    // The same name again gets the server's refusal.
    await form.getByLabel('Connector name').fill('corp-ca');
    await form.getByRole('button', { name: 'Create the connector' }).click();
    await page.getByRole('alert').filter({ hasText: "a CA connector 'corp-ca' exists" }).waitFor();

    const card = page.getByRole('article', { name: 'CA connector corp-ca' });
    for (const [name, keyType, eku] of [['user', 'ec-p256', 'clientAuth'], ['temp', 'rsa-3072', '']]) {
      await card.getByRole('button', { name: 'Add a profile' }).click();
      const profile = card.getByRole('form', { name: 'Certificate profile for corp-ca' });
      await profile.getByLabel('Profile name').fill(name);
      await profile.getByLabel(/^Validity/).fill('365,730');
      await profile.getByRole('group', { name: 'Key types' }).getByLabel(keyType).check();
      if (eku) await profile.getByRole('group', { name: 'Extended key usage' }).getByLabel(eku).check();
      await profile.getByLabel('Subject O', { exact: true }).fill('Corp');
      await profile.getByRole('button', { name: 'Save the profile' }).click();
      await status(`Profile ${name} of corp-ca saved.`);
    }
    [ca] = await get('/caconnector/corp-ca');
    const user = ca.templates.user;
    expect('profile user', [user?.validity_days, user?.key_types, user?.extended_key_usage, user?.subject, user?.approval],
      [[365, 730], ['ec-p256'], ['clientAuth'], [['CN', '{username}'], ['O', 'Corp']], false]);
    expect('profiles', Object.keys(ca.templates).sort(), ['temp', 'user']);
    await card.locator('tr[data-profile="temp"]').getByRole('button', { name: 'Delete' }).click();
    await card.locator('tr[data-profile="temp"]').getByRole('button', { name: 'Yes, delete' }).click();
    await status('Profile temp of corp-ca deleted.');
    expect('profiles after the delete', Object.keys((await get('/caconnector/corp-ca'))[0].templates), ['user']);
    // The published CA certificate is the one made with these settings; the CRL is there.
    const certificateLink = await card.getByRole('link', { name: 'CA certificate (PEM)' }).getAttribute('href');
    const pem = await (await fetch(url + certificateLink)).text();
    writeFileSync(join(work, 'ca.pem'), pem);
    const subject = execFileSync('openssl', ['x509', '-in', join(work, 'ca.pem'), '-noout', '-subject', '-text'], { encoding: 'utf8' });
    if (!subject.includes('Corp Test CA') || !subject.includes('secp384r1')) fail(`the CA certificate is not as made: ${subject.slice(0, 300)}`);
    const crl = await fetch(url + (await card.getByRole('link', { name: 'CRL (DER)' }).getAttribute('href')));
    if (crl.status !== 200 || crl.headers.get('content-type') !== 'application/pkix-crl') fail(`no CRL: ${crl.status}`);
    await page.screenshot({ path: join(screenshots, 'admin-ca.png'), fullPage: true });
    // An edit replaces the settings; the profiles stay.
    await card.getByRole('button', { name: 'Edit the connector' }).click();
    const edit = page.getByRole('form', { name: 'Edit CA connector corp-ca' });
    await edit.getByLabel('Common name', { exact: true }).fill('Corp Test CA renamed');
    await edit.getByRole('button', { name: 'Save the connector' }).click();
    await status('CA connector corp-ca saved.');
    [ca] = await get('/caconnector/corp-ca');
    expect('after the edit', [ca.data.common_name, Object.keys(ca.templates)], ['Corp Test CA renamed', ['user']]);
    // Another admin saves while this form is open: this save is refused, theirs stays.
    await card.getByRole('button', { name: 'Edit the connector' }).click();
    await edit.getByLabel('Common name', { exact: true }).fill('Mine');
    await api('/caconnector/corp-ca', { common_name: 'Theirs' }, admin);
    await edit.getByRole('button', { name: 'Save the connector' }).click();
    await page.getByRole('alert').filter({ hasText: 'was changed' }).waitFor();
    [ca] = await get('/caconnector/corp-ca');
    expect('after a stale save', ca.data.common_name, 'Theirs');
    await edit.getByRole('button', { name: 'Cancel' }).click();

    // --- A certificate for alice from a server-made key, then revoked.
    await tab('All tokens');
    await page.getByRole('button', { name: 'Enroll a token for a user' }).click();
    await enroll.getByRole('combobox', { name: 'Realm of the user' }).selectOption('corp');
    await enroll.getByRole('combobox', { name: 'User', exact: true }).locator('option', { hasText: 'alice' }).waitFor({ state: 'attached' });
    await enroll.getByRole('combobox', { name: 'User', exact: true }).selectOption('alice');
    await enroll.getByRole('combobox', { name: 'Token type' }).selectOption('certificate');
    await enroll.getByRole('combobox', { name: 'CA connector' }).locator('option', { hasText: 'corp-ca' }).waitFor({ state: 'attached' });
    await enroll.getByRole('combobox', { name: 'CA connector' }).selectOption('corp-ca');
    await enroll.getByRole('combobox', { name: 'Certificate profile' }).selectOption('user');
    await enroll.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Password for the file').fill('Handed-Over-42');
    await page.getByLabel('The same password again').fill('Handed-Over-42');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Request the certificate' }).click(),
    ]);
    await status('The key and certificate for alice were downloaded');
    await download.saveAs(join(work, 'alice.p12'));
    const p12 = execFileSync('openssl', ['pkcs12', '-in', join(work, 'alice.p12'), '-passin', 'pass:Handed-Over-42', '-nokeys', '-clcerts'], { encoding: 'utf8' });
    if (!/subject=.*CN\s*=\s*alice/.test(p12)) fail(`the .p12 is not alice's: ${p12.slice(0, 200)}`);
    owned = (await get('/token/', { user: 'alice', realm: 'corp', type: 'certificate' })).tokens;
    expect('the certificate', owned.map((t) => [t.rollout_state, t.info.ca, t.info.profile]), [['enrolled', 'corp-ca', 'user']]);
    const certificate = owned[0].serial;
    await page.getByRole('button', { name: 'Done' }).click();
    await search.getByLabel('Serial').fill(certificate);
    await search.getByRole('button', { name: 'Search' }).click();
    await row(certificate).getByRole('button', { name: 'Revoke' }).click();
    await status(`${certificate}: revoked.`);
    await row(certificate).locator('td.state', { hasText: 'revoked' }).waitFor();
    expect('revoked on the server', (await get('/token/', { serial: certificate })).tokens[0].revoked, true);

    // --- Outbox: a webhook refused once is dead; sent again, it is delivered.
    const receiver = await startReceiver();
    try {
      await api('/notifier/hook', { type: 'webhook', url: receiver.url }, admin);
      const handlerId = await api('/event/', { name: 'hook-init', event: 'token_init', handlermodule: 'hook', action: 'post_webhook' }, admin);
      await api('/token/init', { type: 'hotp', genkey: '1', serial: 'HOOK01' }, admin);
      let dead = [];
      await until('the delivery is dead', async () => (dead = await get('/event/outbox', { state: 'dead' })).length === 1);
      const delivery = dead[0];
      expect('the dead delivery', [delivery.handler, delivery.attempts, receiver.received.length], ['hook-init', 1, 1]);
      await tab('Outbox');
      const line = page.locator(`tr[data-id="${delivery.id}"]`);
      await line.waitFor();
      expect('the row', [
        await line.locator('td.state').textContent(),
        await line.locator('td.attempts').textContent(),
        await line.locator('td').nth(2).textContent(),
        await line.locator('td').nth(1).textContent(),
      ], ['dead', '1', 'hook-init', `token_init${delivery.serial}`]);
      if (!(await line.locator('td.last-error').textContent()).includes('answered HTTP 503')) fail('no last error shown');
      await page.screenshot({ path: join(screenshots, 'admin-outbox.png'), fullPage: true });
      receiver.accepting = true;
      await line.getByRole('button', { name: `Retry delivery ${delivery.id}` }).click();
      await status(`Delivery ${delivery.id} will be sent again.`);
      await until('the delivery is delivered', async () =>
        (await get('/event/outbox', { state: 'delivered' })).some((d) => d.id === delivery.id),
      );
      if (receiver.received.at(-1).delivery !== String(delivery.id)) fail('the receiver did not get the delivery again');
      await page.getByRole('combobox', { name: 'State' }).selectOption('delivered');
      await page.locator(`tr[data-id="${delivery.id}"] td.state`, { hasText: 'delivered' }).waitFor();

      // --- Event handlers: that handler edited, disabled, deleted.
      await tab('Event handlers');
      const handlerRow = page.locator(`tr[data-id="${handlerId}"]`);
      await handlerRow.getByRole('button', { name: 'Edit' }).click();
      const handlerForm = page.getByRole('form', { name: 'Edit event handler hook-init' });
      const actionSelect = handlerForm.getByRole('combobox', { name: 'Action', exact: true });
      await actionSelect.locator('option[value="post_webhook"]').waitFor({ state: 'attached' });
      await until('the action is loaded into the form', async () => (await actionSelect.inputValue()) === 'post_webhook', 5);
      await handlerForm.getByRole('textbox', { name: 'Name', exact: true }).fill('hook-disable');
      await handlerForm.getByRole('combobox', { name: 'Event', exact: true }).selectOption('token_disable');
      await handlerForm.getByRole('spinbutton', { name: 'Order' }).fill('5');
      await handlerForm.getByRole('button', { name: 'Save the handler' }).click();
      await status('Handler hook-disable saved.');
      let handlers = await get('/event/');
      expect('the edited handler', handlers.map((h) => [h.id, h.name, h.event, h.ordering, h.active, h.handlermodule, h.action]),
        [[handlerId, 'hook-disable', ['token_disable'], 5, true, 'hook', 'post_webhook']]);
      await handlerRow.getByRole('button', { name: 'Disable', exact: true }).click();
      await status('Handler hook-disable disabled.');
      await handlerRow.locator('td.state', { hasText: 'no' }).waitFor();
      expect('active on the server', (await get('/event/'))[0].active, false);
      await handlerRow.getByRole('button', { name: 'Delete' }).click();
      if ((await get('/event/')).length !== 1) fail('deleted before the confirmation');
      await handlerRow.getByRole('button', { name: 'Yes, delete' }).click();
      await status('Handler hook-disable deleted.');
      await text('No handler yet.');
      handlers = await get('/event/');
      expect('handlers left', handlers.length, 0);
    } finally {
      receiver.close();
    }
    return 'tokens for a user (TOTP, certificate), search, pages, disable, revoke, delete, history; audit filters and pages; a local CA with profiles; a dead delivery retried; a handler edited, disabled, deleted';
  },
  { config },
);
