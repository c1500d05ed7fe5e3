// End to end in headless Chromium: a user has the server make a key, chooses the PKCS#12
// password (twice), downloads the .p12, and openssl opens it with that password; the token
// list then shows the certificate enrolled with its expiry date, and the user downloads and
// revokes it. The request is made with the keyboard only.
// Usage: node certificate_p12.test.mjs SERVER_BINARY PLUGIN_DIR WEBUI_DIR SCREENSHOT_DIR
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail, scenario } from './harness.mjs';

await scenario('401', async ({ api, admin, work, screenshots, newPage, logIn, tabTo }) => {
  await api('/caconnector/corp', { type: 'ca_local' }, admin);
  await api('/caconnector/corp/profile/user', { key_types: 'ec-p256', validity_days: '365' }, admin);
  const page = await newPage({ acceptDownloads: true });
  await logIn(page, 'alice', 'alice-password', 'corp');
  await page.getByText('You have no tokens yet.').waitFor();

  // Keyboard only: Tab to move, typing, Enter to submit.
  const password = 'Correct-Horse-42';
  await tabTo(page, 'Request a certificate');
  await page.keyboard.press('Enter');
  await tabTo(page, 'Password for the file');
  await page.keyboard.type(password);
  await tabTo(page, 'The same password again');
  await page.keyboard.type('something else');
  await page.keyboard.press('Enter');
  await page.getByRole('alert').filter({ hasText: 'The passwords differ.' }).waitFor();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(password);
  await page.screenshot({ path: join(screenshots, 'certificate-request.png') });
  const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  const file = join(work, 'alice.p12');
  await download.saveAs(file);
  const text = execFileSync('openssl', ['pkcs12', '-in', file, '-passin', `pass:${password}`, '-nokeys', '-clcerts'], {
    encoding: 'utf8',
  });
  if (!text.includes('BEGIN CERTIFICATE')) fail('the .p12 holds no certificate');
  let refused = false;
  try {
    execFileSync('openssl', ['pkcs12', '-in', file, '-passin', 'pass:wrong-password', '-nokeys'], { stdio: 'pipe' });
  } catch {
    refused = true;
  }
  if (!refused) fail('the .p12 opened with a wrong password');

  await page.getByRole('button', { name: 'Done' }).click();
  const row = page.locator('tr', { hasText: 'certificate' });
  if ((await row.locator('td.state').textContent()) !== 'enrolled') fail('the certificate is not enrolled');
  const expiry = await row.locator('td').nth(3).textContent();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(expiry)) fail(`no expiry date: '${expiry}'`);
  await page.screenshot({ path: join(screenshots, 'tokens-certificate.png') });
  // The issued certificate downloads from the list: the same one the .p12 holds.
  const [pem] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: 'Download' }).click()]);
  const pemFile = join(work, 'alice.pem');
  await pem.saveAs(pemFile);
  const fingerprint = (input) =>
    execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], { input, encoding: 'utf8' });
  if (fingerprint(readFileSync(pemFile)) !== fingerprint(text)) fail('the downloaded certificate is not the issued one');
  await row.getByRole('button', { name: 'Revoke' }).click();
  await page.locator('tr', { hasText: 'certificate' }).locator('td.state').filter({ hasText: 'revoked' }).waitFor();
  return 'server-made key downloaded as .p12, opened by openssl, enrolled, revoked';
});
