// End to end in headless Chromium: the admin's dashboard shows what the server counted (checks
// accepted and rejected, tokens by type and state, certificates expiring within 30/60/90 days),
// and the plugin page lists what the server loaded with its versions; an admin who may not read
// that list still gets the built-in CA connector types.
// Usage: node admin_dashboard.test.mjs SERVER_BINARY PLUGIN_DIR WEBUI_DIR SCREENSHOT_DIR
import { join } from 'node:path';
import { fail, scenario } from './harness.mjs';

const seed = '3132333435363738393031323334353637383930'; // RFC 4226: counter 0 gives 755224

// The one expected error: the plugin list refused (403) to an admin without configread.
await scenario('403', async ({ api, request, admin, screenshots, newPage, logIn }) => {
  await api('/token/init', { type: 'hotp', serial: 'H1', otpkey: seed, user: 'alice', realm: 'corp' }, admin);
  await api('/token/init', { type: 'hotp', serial: 'H2', otpkey: seed, user: 'alice', realm: 'corp' }, admin);
  await api('/token/init', { type: 'totp', serial: 'T1', otpkey: seed, user: 'alice', realm: 'corp' }, admin);
  await api('/token/disable/H2', {}, admin);
  for (const pass of ['000000', '755224', '111111']) {
    await api('/validate/check', { serial: 'H1', pass });
  }
  await api('/caconnector/corp', { type: 'ca_local' }, admin);
  await api('/caconnector/corp/profile/short', { key_types: 'ec-p256', validity_days: '45' }, admin);
  await api(
    '/token/init',
    { type: 'certificate', genkey: '1', ca: 'corp', profile: 'short', user: 'alice', realm: 'corp', password: 'a-long-pkcs12-password' },
    admin,
  );

  const page = await newPage();
  await logIn(page, 'admin', 'webui-admin-pw');
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  const chart = page.getByRole('img', { name: /Checks in the last hour/ });
  const label = await chart.getAttribute('aria-label');
  if (!label.includes('1 accepted, 2 rejected')) fail('the checks chart says: ' + label);
  if ((await chart.locator('rect').count()) !== 120) fail('not one accepted and one rejected bar per minute');
  const hotp = page.locator('table.bars tr', { hasText: 'hotp' });
  const hotpCounts = await hotp.locator('td.count').getAttribute('aria-label');
  if (hotpCounts !== '1 disabled, 1 enrolled') fail('hotp tokens: ' + hotpCounts);
  if ((await hotp.locator('td.count').textContent()) !== '2') fail('hotp total is not 2');
  const certificates = await page.locator('table.bars tr', { hasText: 'certificate' }).locator('td.count').getAttribute('aria-label');
  if (certificates !== '1 enrolled') fail('certificate tokens: ' + certificates);
  for (const [days, expected] of [['30', '0'], ['60', '1'], ['90', '1']]) {
    const shown = await page.locator(`dd[data-days="${days}"]`).textContent();
    if (shown !== expected) fail(`certificates within ${days} days: ${shown}`);
  }
  await page.screenshot({ path: join(screenshots, 'admin-dashboard.png'), fullPage: true });

  await page.getByRole('button', { name: 'Plugins' }).click();
  const row = page.locator('tr', { hasText: 'ca_local' });
  await row.waitFor();
  if (!/\d+\.\d+/.test(await row.locator('td').nth(1).textContent())) fail('no version shown for the CA plugin');
  await page.locator('tr', { hasText: 'hotp' }).first().waitFor();
  await page.screenshot({ path: join(screenshots, 'admin-plugins.png'), fullPage: true });

  // An admin who may write CA connectors but not read the configuration (the plugin list) gets
  // the built-in connector types, with a note and no error.
  await api('/policy/ca-only', { scope: 'admin', action: 'caconnectorread,caconnectorwrite' }, admin);
  if ((await request('GET', '/system/plugins', undefined, admin)).status !== 403) fail('the plugin list is still readable');
  await page.getByRole('button', { name: 'CA connectors' }).click();
  const form = page.getByRole('form', { name: 'New CA connector' });
  await form.getByText(/^Only the built-in connector types are offered/).waitFor();
  await form.getByLabel('Connector name').fill('second');
  await form.getByRole('combobox', { name: 'Connector type' }).selectOption('ca_local');
  await form.getByRole('button', { name: 'Create the connector' }).click();
  await page.getByRole('status').filter({ hasText: 'CA connector second created.' }).waitFor();
  if (await page.getByRole('alert').count()) fail('an error shown: ' + (await page.getByRole('alert').allTextContents()));
  const connectors = (await request('GET', '/caconnector/second', undefined, admin)).json?.result?.value;
  if (connectors?.[0]?.type !== 'ca_local') fail('the connector second: ' + JSON.stringify(connectors));
  return 'the dashboard shows the server\'s figures; the plugins are listed with their versions; without the right to read them, the built-in CA connector types are offered';
});
