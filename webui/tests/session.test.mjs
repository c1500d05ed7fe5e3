// End to end in headless Chromium: a session that ends goes back to the login form with a word
// why, never an old page or "You have no tokens yet." beside an error: after "Log out" (the
// server refuses the old JWT, the tab keeps nothing of who was logged in), when an admin ends
// the user's sessions while her page is open, and when the session runs out (a validity of 60 s).
// Usage: node session.test.mjs SERVER_BINARY PLUGIN_DIR WEBUI_DIR SCREENSHOT_DIR
import { join } from 'node:path';
import { fail, scenario } from './harness.mjs';

const seed = '3132333435363738393031323334353637383930';

// The browser's note of the server's 401 for the ended sessions.
await scenario('401', async ({ api, request, admin, screenshots, newPage, logIn }) => {
  await api('/token/init', { type: 'hotp', serial: 'H1', otpkey: seed, user: 'alice', realm: 'corp' }, admin);
  const openTokens = async (page) => {
    await logIn(page, 'alice', 'alice-password', 'corp');
    await page.locator('td.state').first().waitFor();
    return page.evaluate(() => sessionStorage.getItem('tessera.token'));
  };
  const refused = async (token, what) => {
    const r = await request('GET', '/token/', undefined, token);
    if (r.status !== 401) fail(`${what}: the old JWT still works (${r.status})`);
  };
  const backAtLogin = async (page, notice, what) => {
    await page.getByRole('form', { name: 'Log in' }).waitFor();
    await page.getByRole('status').filter({ hasText: notice }).waitFor();
    if (await page.getByText('You have no tokens yet.').count()) fail(`${what}: "no tokens" shown`);
    const kept = await page.evaluate(() => ['tessera.token', 'tessera.user', 'tessera.role'].filter((k) => sessionStorage.getItem(k)));
    if (kept.length) fail(`${what}: the tab kept ${kept.join(', ')}`);
  };

  // A session that runs out: begun first, looked at last.
  const expiring = await newPage();
  const expiringToken = await openTokens(expiring);
  const started = Date.now();

  // Log out.
  const page = await newPage();
  const token = await openTokens(page);
  await page.getByRole('button', { name: 'Log out' }).click();
  await backAtLogin(page, 'You have logged out.', 'logout');
  await refused(token, 'logout');

  // An admin ends her sessions while her page is open; her next step leads to the login form.
  const open = await newPage();
  const openToken = await openTokens(open);
  const ended = await request('DELETE', '/auth/sessions?user=alice&realm=corp', undefined, admin);
  if (ended.status !== 200) fail('ending the sessions: ' + ended.text);
  await open.getByRole('button', { name: 'Disable' }).first().click();
  await backAtLogin(open, 'Your session has ended', 'sessions ended');
  await open.screenshot({ path: join(screenshots, 'session-ended.png') });
  await refused(openToken, 'sessions ended');
  // Only hers: the admin's own session lives on.
  if ((await request('GET', '/token/', undefined, admin)).status !== 200) fail("the admin's session ended too");

  // The session that runs out (auth.token_validity_seconds 60): a reload after it goes to the
  // login form.
  await expiring.waitForTimeout(Math.max(0, 62000 - (Date.now() - started)));
  await refused(expiringToken, 'expiry');
  await expiring.reload();
  await backAtLogin(expiring, 'Your session has ended', 'expiry');
  return 'logout, sessions ended by an admin and an expired session each go back to the login form with the reason; the old JWT is refused and the tab keeps nothing';
}, { config: 'auth: { token_validity_seconds: 60 }\n' });
