// End to end in headless Chromium against the real server, with the keyboard only (Tab to
// move, typing, Enter): a user logs in, enrolls a TOTP token by reading the secret from the
// page and typing the code computed from it, and sees the token enrolled; the server holds
// it in "verify" until then. An HOTP token left unconfirmed is confirmed later from the list.
// Usage: node enroll_totp.test.mjs SERVER_BINARY PLUGIN_DIR WEBUI_DIR SCREENSHOT_DIR
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { fail, scenario } from './harness.mjs';

// RFC 4226 with the defaults the server enrolls: SHA-1, 6 digits.
function hotp(base32, counter) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of base32.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1000000).padStart(6, '0');
}
// RFC 6238: 30-second steps.
const totp = (base32) => hotp(base32, Math.floor(Date.now() / 30000));

await scenario(['400', '401'], async ({ url, admin, screenshots, newPage, tabTo }) => {
  const tokenOnServer = async (serial) => {
    const r = await fetch(`${url}/token/?serial=${serial}`, { headers: { Authorization: admin } });
    return (await r.json()).result.value.tokens[0];
  };
  const page = await newPage();
  await page.goto(url + '/');
  // Log in with the keyboard; a wrong password gets the server's message.
  await tabTo(page, 'User name');
  await page.keyboard.type('alice');
  await page.keyboard.press('Tab');
  await page.keyboard.type('wrong');
  await page.keyboard.press('Tab');
  await page.keyboard.type('corp');
  await page.keyboard.press('Enter');
  await page.getByRole('alert').waitFor();
  await page.getByLabel('Password').fill('alice-password');
  await page.screenshot({ path: join(screenshots, 'login.png') });
  await page.keyboard.press('Enter');
  await page.getByText('You have no tokens yet.').waitFor();

  await tabTo(page, 'Enroll an authenticator app (TOTP)');
  await page.keyboard.press('Enter');
  await tabTo(page, 'Create the token');
  await page.keyboard.press('Enter');
  const secret = (await page.getByTestId('secret').textContent()).trim();
  if (!/^[A-Z2-7]{16,}=*$/.test(secret)) fail(`no secret on the page: '${secret}'`);
  if (!(await page.getByAltText('QR code of the new token').isVisible())) fail('no QR code');
  const serial = (await page.getByRole('heading', { name: /^Token / }).textContent()).replace('Token ', '');
  if ((await tokenOnServer(serial)).rollout_state !== 'verify') fail('the server does not hold the token for its first code');
  await page.screenshot({ path: join(screenshots, 'enroll-totp.png') });
  // The code field has the focus; a wrong code is refused with the server's message.
  await page.keyboard.type(totp(secret) === '000000' ? '111111' : '000000');
  await page.keyboard.press('Enter');
  await page.getByRole('alert').waitFor();
  await page.keyboard.press('Control+A'); // the focus stays in the field
  await page.keyboard.type(totp(secret));
  await page.keyboard.press('Enter');
  await page.getByRole('status').filter({ hasText: 'your token is enrolled' }).waitFor();
  if ((await tokenOnServer(serial)).rollout_state !== 'enrolled') fail('the server has not enrolled the token');
  await tabTo(page, 'Done');
  await page.keyboard.press('Enter');
  await page.locator(`tr[data-serial="${serial}"] td.state`).filter({ hasText: /^enrolled$/ }).waitFor();

  // An HOTP token left unconfirmed stays "verify"; its first code confirms it from the list.
  await tabTo(page, 'Enroll a counter-based token (HOTP)');
  await page.keyboard.press('Enter');
  await tabTo(page, 'Create the token');
  await page.keyboard.press('Enter');
  const hotpSecret = (await page.getByTestId('secret').textContent()).trim();
  await page.reload();
  const row = page.locator('tr', { hasText: 'hotp' });
  if ((await row.locator('td.state').textContent()) !== 'verify') fail('an unconfirmed token does not show verify');
  await page.screenshot({ path: join(screenshots, 'tokens.png') });
  await tabTo(page, 'Confirm');
  await page.keyboard.press('Enter');
  await page.keyboard.type(hotp(hotpSecret, 0));
  await page.keyboard.press('Enter');
  await row.locator('td.state').filter({ hasText: 'enrolled' }).waitFor();
  const hotpSerial = await row.getAttribute('data-serial');
  if ((await tokenOnServer(hotpSerial)).rollout_state !== 'enrolled') fail('the HOTP token is not enrolled on the server');
  return 'keyboard only: login, TOTP enrollment held until its computed code, HOTP confirmed from the list';
});
