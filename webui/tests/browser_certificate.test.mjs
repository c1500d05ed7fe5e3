// End to end in headless Chromium over HTTPS: a user enrolls "the certificate my browser
// presents". The server's TLS listener asks for client certificates; a CA made here with openssl
// is the trusted one and has issued alice's certificate, which Playwright presents for the
// server's origin. The token waits in "review" with exactly that certificate, an admin approves
// it, the list shows it enrolled, and the browser then logs in with it alone. A browser that
// presents no certificate gets the server's reason, and nothing is stored.
// Usage: node browser_certificate.test.mjs SERVER_BINARY PLUGIN_DIR WEBUI_DIR SCREENSHOT_DIR
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fail, scenario } from './harness.mjs';

// The outside PKI: a root CA and alice's client certificate (EC P-256, clientAuth, valid now).
const pki = mkdtempSync(join(tmpdir(), 'tessera-browser-pki-'));
process.on('exit', () => rmSync(pki, { recursive: true, force: true }));
const openssl = (...args) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
const p = (name) => join(pki, name);
const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
openssl('req', '-x509', '-new', '-nodes', ...ecKey, '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '30',
        '-subj', '/CN=Browser Test CA', '-addext', 'basicConstraints=critical,CA:TRUE',
        '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
openssl('req', '-new', '-nodes', ...ecKey, '-keyout', p('alice.key'), '-out', p('alice.csr'),
        '-subj', '/CN=Alice Example/O=Corp');
writeFileSync(p('alice.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
openssl('x509', '-req', '-in', p('alice.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial',
        '-days', '30', '-extfile', p('alice.ext'), '-out', p('alice.pem'));
const fingerprint = (pem) =>
  execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], { input: pem, encoding: 'utf8' }).trim();
const aliceFingerprint = fingerprint(readFileSync(p('alice.pem')));

await scenario(
  ['400', '401'],
  async ({ url, api, request, admin, screenshots, newPage, logIn }) => {
    const aliceTokens = async () => {
      const r = await request('GET', '/token/?user=alice&realm=corp', undefined, admin);
      if (r.status !== 200) fail(`GET /token/: ${r.status} ${r.text}`);
      return r.json.result.value.tokens;
    };
    const chooseBrowserCertificate = async (page) => {
      await page.getByRole('button', { name: 'Request a certificate' }).click();
      await page.getByRole('radio', { name: 'The certificate my browser presents' }).check();
      await page.getByRole('button', { name: 'Request the certificate' }).click();
    };

    // Without a certificate on the connection: the server's reason, shown as an alert.
    const bare = await newPage({ ignoreHTTPSErrors: true });
    await logIn(bare, 'alice', 'alice-password', 'corp');
    await bare.getByText('You have no tokens yet.').waitFor();
    await chooseBrowserCertificate(bare);
    await bare.getByRole('alert').filter({ hasText: 'no client certificate was presented' }).waitFor();
    if ((await aliceTokens()).length !== 0) fail('a token was stored without a certificate');
    await bare.context().close();

    // With alice's certificate, which Playwright presents to this origin only.
    const page = await newPage({
      ignoreHTTPSErrors: true,
      clientCertificates: [{ origin: url, certPath: p('alice.pem'), keyPath: p('alice.key') }],
    });
    await logIn(page, 'alice', 'alice-password', 'corp');
    await page.getByText('You have no tokens yet.').waitFor();
    await chooseBrowserCertificate(page);
    const status = page.getByRole('status').filter({ hasText: 'waiting for review' });
    await status.waitFor();
    await page.screenshot({ path: join(screenshots, 'browser-certificate.png') });
    const shownSerial = ((await page.getByRole('heading', { name: /^Certificate / }).textContent()) || '')
      .replace(/^Certificate /, '')
      .trim();

    // On the server: one certificate token in review, holding the very certificate presented.
    const tokens = await aliceTokens();
    if (tokens.length !== 1) fail(`alice has ${tokens.length} tokens: ${JSON.stringify(tokens)}`);
    const [token] = tokens;
    if (token.tokentype !== 'certificate') fail(`token type ${token.tokentype}`);
    if (token.rollout_state !== 'review') fail(`rollout state '${token.rollout_state}', not review`);
    if (token.serial !== shownSerial) fail(`the page showed '${shownSerial}', the server has ${token.serial}`);
    if (!token.info?.certificate) fail(`no certificate in the token's info: ${JSON.stringify(token.info)}`);
    const stored = fingerprint(token.info.certificate);
    if (stored !== aliceFingerprint) fail(`the stored certificate (${stored}) is not the presented one (${aliceFingerprint})`);
    if (token.info.subject !== 'O=Corp,CN=Alice Example') fail(`subject '${token.info.subject}'`);

    await page.getByRole('button', { name: 'Done' }).click();
    const row = page.locator(`tr[data-serial="${token.serial}"]`);
    await row.locator('td.state').filter({ hasText: /^review$/ }).waitFor();

    // Not usable before an admin approves it; then enrolled in the user's list.
    const browserLogin = () =>
      page.evaluate(async () => {
        const r = await fetch('/validate/check', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
        return r.json();
      });
    const early = await browserLogin();
    if (early.result?.authentication !== 'REJECT') fail(`a certificate in review logged in: ${JSON.stringify(early)}`);
    await api(`/token/approve/${token.serial}`, { reason: 'badge checked' }, admin);
    await page.reload();
    await row.locator('td.state').filter({ hasText: /^enrolled$/ }).waitFor();
    const approved = (await aliceTokens())[0];
    if (approved.rollout_state !== 'enrolled' && approved.rollout_state !== '')
      fail(`after approval: rollout state '${approved.rollout_state}'`);

    // The browser's certificate alone now logs alice in.
    const login = await browserLogin();
    if (login.result?.authentication !== 'ACCEPT' || login.detail?.serial !== token.serial)
      fail(`certificate login: ${JSON.stringify(login)}`);
    return `browser certificate ${token.serial} enrolled for review, approved, enrolled, logs in; none presented: refused`;
  },
  {
    tls: true,
    server: '  tls: { client_certificates: request }',
    config: `certificates:\n  trusted_ca_file: ${p('ca.pem')}\n`,
  },
);
