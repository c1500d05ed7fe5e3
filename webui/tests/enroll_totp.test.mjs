// End to end in headless Chromium against the real server: a user logs in, enrolls a TOTP
// token by reading the secret from the page and typing the code computed from it, and sees
// the token enrolled; without console errors, with the keyboard only on the enrollment form.
// Usage: node enroll_totp.test.mjs SERVER_BINARY PLUGIN_DIR WEBUI_DIR SCREENSHOT_DIR
import { createHmac } from 'node:crypto';
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

await scenario('401', async ({ api, admin, screenshots, newPage, logIn }) => {
  // The token counts only once the user typed its first value.
  await api('/policy/verify', { scope: 'enrollment', action: 'verify_enrollment=totp' }, admin);
  const page = await newPage();
  // A wrong password gets the server's message.
  await logIn(page, 'alice', 'wrong', 'corp');
  await page.getByRole('alert').waitFor();
  await page.getByLabel('Password').fill('alice-password');
  await page.screenshot({ path: join(screenshots, 'login.png') });
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByText('You have no tokens yet.').waitFor();

  await page.getByRole('button', { name: 'Enroll an authenticator app (TOTP)' }).click();
  // Keyboard only from here: Enter on the focused button, typing into the focused field.
  await page.getByRole('button', { name: 'Create the token' }).focus();
  await page.keyboard.press('Enter');
  const secret = (await page.getByTestId('secret').textContent()).trim();
  if (!/^[A-Z2-7]{16,}=*$/.test(secret)) fail(`no secret on the page: '${secret}'`);
  if (!(await page.getByAltText('QR code of the new token').isVisible())) fail('no QR code');
  await page.screenshot({ path: join(screenshots, 'enroll-totp.png') });
  await page.getByLabel('Code from the app').focus();
  await page.keyboard.type(totp(secret));
  await page.keyboard.press('Enter');
  await page.getByRole('status').filter({ hasText: 'your token is enrolled' }).waitFor();
  await page.getByRole('button', { name: 'Done' }).click();
  const state = await page.locator('td.state').first().textContent();
  if (state !== 'enrolled') fail(`the token shows '${state}'`);
  // A second token left unconfirmed stays "verify" on the server.
  await page.getByRole('button', { name: 'Enroll an authenticator app (TOTP)' }).click();
  await page.getByRole('button', { name: 'Create the token' }).click();
  await page.getByTestId('secret').waitFor();
  await page.reload();
  await page.locator('td.state').nth(1).waitFor();
  const states = await page.locator('td.state').allTextContents();
  if (!states.includes('verify')) fail(`an unconfirmed token shows ${states}`);
  await page.screenshot({ path: join(screenshots, 'tokens.png') });
  return 'login, TOTP enrollment with the computed code, token enrolled';
});
