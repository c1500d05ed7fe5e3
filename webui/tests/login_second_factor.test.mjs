// End to end in headless Chromium: with the webui policy login_mode=tessera a user logs in with
// the password and then the value of her HOTP token; a wrong value gives no session; with
// login_mode=userstore the password alone logs her in, as before.
// Usage: node login_second_factor.test.mjs SERVER_BINARY PLUGIN_DIR WEBUI_DIR SCREENSHOT_DIR
import { join } from 'node:path';
import { fail, scenario } from './harness.mjs';

// RFC 4226's test seed "12345678901234567890": its first values.
const seed = '3132333435363738393031323334353637383930';
const values = ['755224', '287082', '359152'];

await scenario(['401'], async ({ api, admin, screenshots, newPage, logIn }) => {
  await api('/token/init', { type: 'hotp', user: 'alice', realm: 'corp', otpkey: seed, serial: 'LOGIN1' }, admin);
  await api('/policy/second-factor', { scope: 'webui', action: 'login_mode=tessera', realm: 'corp' }, admin);

  const page = await newPage();
  await logIn(page, 'alice', 'alice-password', 'corp');
  const otp = page.getByLabel('One-time password');
  await otp.waitFor();
  await page.screenshot({ path: join(screenshots, 'login-second-factor.png') });
  if ((await page.evaluate(() => sessionStorage.getItem('tessera.token'))) !== null)
    fail('a session before the second factor');
  // A wrong value: no session, and the form starts over with the password.
  await otp.fill('000000');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('alert').waitFor();
  await page.getByLabel('Password').waitFor();
  if ((await page.evaluate(() => sessionStorage.getItem('tessera.token'))) !== null)
    fail('a session after a wrong value');

  await logIn(page, 'alice', 'alice-password', 'corp');
  await page.getByLabel('One-time password').fill(values[0]);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('tr[data-serial="LOGIN1"]').waitFor();
  // Logging out ends the session on the server too.
  const jwt = await page.evaluate(() => sessionStorage.getItem('tessera.token'));
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByLabel('User name').waitFor();
  const after = await fetch(new URL('/token/', page.url()), { headers: { Authorization: jwt } });
  if (after.status !== 401) fail(`the logged-out session still works (HTTP ${after.status})`);

  // With userstore the password alone logs her in, as before.
  await api('/policy/second-factor', { scope: 'webui', action: 'login_mode=userstore', realm: 'corp' }, admin);
  await logIn(page, 'alice', 'alice-password', 'corp');
  await page.locator('tr[data-serial="LOGIN1"]').waitFor();
  return 'password and OTP with login_mode tessera, password alone with userstore';
});
