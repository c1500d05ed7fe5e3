// End to end in headless Chromium: the dashboard of a server without a CA shows the first step;
// an admin creates an organization, an enrollment form and an
// account with an access code in the WebUI; a person opens the form's URL, asks for a link,
// follows the link from the mail (a real SMTP sink, aiosmtpd), enters the access code, completes
// the form, accepts the terms and downloads a PKCS#12 that openssl opens with their password.
// Usage: node enrollment_form.test.mjs SERVER_BINARY PLUGIN_DIR WEBUI_DIR SCREENSHOT_DIR
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fail, layoutProblems, scenario } from './harness.mjs';

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const maildir = mkdtempSync(join(tmpdir(), 'tessera-enroll-mail-'));
for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(maildir, sub));
const smtpPort = await freePort();
const smtp = spawn('/usr/bin/python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${smtpPort}`, '-c', 'aiosmtpd.handlers.Mailbox', maildir], { stdio: 'ignore' });
const stopSmtp = () => {
  smtp.kill();
  rmSync(maildir, { recursive: true, force: true });
};
process.on('exit', stopSmtp);

await scenario(
  ['400', '401', '403', '404'],
  async ({ url, api, request: send, admin, screenshots, newPage, logIn, work }) => {
    await api('/notifier/mail', { type: 'email', host: '127.0.0.1', port: smtpPort, security: 'none', sender: 'pki@acme.example' }, admin);
    // The admin's part, in the WebUI. Without a CA the dashboard says what to do first.
    const adminPage = await newPage();
    await logIn(adminPage, 'admin', 'webui-admin-pw');
    const firstSteps = adminPage.getByRole('region', { name: 'First steps' });
    await firstSteps.getByRole('button', { name: 'Add a CA' }).click();
    await adminPage.getByRole('heading', { name: 'CA connectors' }).waitFor();
    await api('/caconnector/corp', { type: 'ca_local' }, admin);
    await api('/caconnector/corp/profile/user', { key_types: 'ec-p256', 'subject.CN': '{givenname} {surname}' }, admin);
    await adminPage.getByRole('button', { name: 'Organizations' }).click();
    const organization = adminPage.getByRole('form', { name: 'Organization' });
    await organization.getByLabel('Name').fill('acme');
    await organization.getByLabel('Realm').selectOption('corp');
    await organization.getByLabel('Built-in resolver for its persons').selectOption('local');
    await organization.getByLabel('Departments').fill('Sales');
    await organization.getByLabel('Delegated domains').fill('acme.example');
    await organization.getByRole('button', { name: 'Save organization' }).click();
    await adminPage.locator('tr[data-organization="acme"]').waitFor();

    await adminPage.getByRole('button', { name: 'Forms', exact: true }).click();
    const form = adminPage.getByRole('form', { name: 'Enrollment form' });
    await form.getByLabel('Name').fill('staff');
    await form.getByLabel('Mail links with').selectOption('mail');
    await form.getByLabel('Terms of use (EULA)').fill('Keep your key to yourself.');
    await form.getByRole('button', { name: 'Save form' }).click();
    const card = adminPage.locator('article[data-form="staff"]');
    await card.waitFor();
    await card.getByRole('button', { name: 'Add an account' }).click();
    const account = adminPage.getByRole('form', { name: 'Account' });
    await account.getByLabel('Name').fill('shared');
    await account.getByLabel('Organization').selectOption('acme');
    await account.getByLabel('Profiles').fill('corp/user');
    await account.getByRole('textbox', { name: 'Access code' }).fill('acme-shared-2026');
    await account.getByRole('button', { name: 'Save account' }).click();
    await card.locator('tr[data-account="shared"]').waitFor();
    await adminPage.screenshot({ path: join(screenshots, 'enrollment-form-admin.png'), fullPage: true });
    const formUrl = new URL((await adminPage.getByTestId('url-staff').textContent()).trim());

    // The person's part: the public page, a link by mail, the access code, the form.
    // On a phone, held to what layout.test.mjs holds the other pages to.
    const page = await newPage({ acceptDownloads: true, viewport: { width: 390, height: 844 }, bypassCSP: true });
    const layout = [];
    await page.goto(url + formUrl.pathname);
    await page.getByRole('form', { name: 'E-mail confirmation' }).getByLabel('E-mail address').fill('bob@acme.example');
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.getByRole('status').filter({ hasText: 'a link is on its way' }).waitFor();
    layout.push(...(await layoutProblems(page, 'the e-mail step')));
    let mail = '';
    for (let i = 0; i < 60 && !mail; ++i) {
      const files = existsSync(join(maildir, 'new')) ? readdirSync(join(maildir, 'new')) : [];
      if (files.length) mail = readFileSync(join(maildir, 'new', files[0]), 'utf8');
      else await sleep(500);
    }
    const link = mail.match(/\/enroll\/[A-Za-z0-9_-]+#link=[A-Za-z0-9_-]+/)?.[0];
    if (!link) fail(`no link in the mail: '${mail}'; the outbox: ${(await send('GET', '/event/outbox', undefined, admin)).text}`);
    await page.goto(url + link);
    await page.getByText('You are bob@acme.example.').waitFor();
    await page.getByRole('textbox', { name: 'Access code' }).fill('wrong-code-123');
    await page.getByRole('button', { name: 'Show its accounts' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByRole('textbox', { name: 'Access code' }).fill('acme-shared-2026');
    await page.getByRole('button', { name: 'Show its accounts' }).click();
    await page.getByRole('button', { name: /^shared: acme/ }).click();
    const request = page.getByRole('form', { name: 'Certificate request' });
    await request.getByLabel('First name').fill('Bob');
    await request.getByLabel('Last name').fill('Brown');
    await request.getByLabel('Password for the file').fill('Bob-Secret-123');
    await request.getByLabel('The password again').fill('Bob-Secret-123');
    await request.getByLabel('I accept the terms of use').check();
    await page.screenshot({ path: join(screenshots, 'enrollment-form-public.png'), fullPage: true });
    layout.push(...(await layoutProblems(page, 'the request form')));
    await request.getByRole('button', { name: 'Enroll' }).click();
    await page.getByRole('heading', { name: 'Your certificate is ready' }).waitFor();
    layout.push(...(await layoutProblems(page, 'the ready page')));
    if (layout.length) fail('on a phone: ' + layout.join('\n'));
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the .p12 file' }).click()]);
    const saved = join(work, 'bob.p12');
    await download.saveAs(saved);
    const opened = execFileSync('openssl', ['pkcs12', '-in', saved, '-passin', 'pass:Bob-Secret-123', '-nokeys'], { encoding: 'utf8' });
    if (!opened.includes('CN = Bob Brown') && !opened.includes('CN=Bob Brown')) fail(`the .p12 holds no certificate for Bob Brown: ${opened}`);
    // The admin finds Bob's certificate among the form's enrollments.
    await card.getByRole('button', { name: 'Enrollments' }).click();
    await adminPage.getByRole('region', { name: 'Enrollments of staff' }).getByText('bob@acme.example').waitFor();
    return 'an admin set up a form; a person enrolled by a mailed link and an access code';
  },
  { server: '  public_url: https://tessera.example' },
);
stopSmtp();
