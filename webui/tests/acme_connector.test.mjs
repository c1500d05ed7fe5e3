// End to end in headless Chromium against the Pebble that ctest started (TESSERA_PEBBLE_DIR): an
// admin makes an ACME CA connector with External Account Binding from its form (the MAC key is
// never shown again), a profile with a DNS name template, and the certificate it issues for a
// user shows in All tokens like any other.
// Usage: TESSERA_PEBBLE_DIR=DIR node acme_connector.test.mjs SERVER_BINARY PLUGIN_DIR WEBUI_DIR SCREENSHOT_DIR
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail, scenario } from './harness.mjs';

const pebble = process.env.TESSERA_PEBBLE_DIR;
const port = readFileSync(join(pebble, 'port'), 'utf8').trim();
const macKey = readFileSync(join(pebble, 'eab_key'), 'utf8').trim();

await scenario('400', async ({ request, admin, url, screenshots, newPage, logIn }) => {
  const get = async (path) => {
    const json = await (await fetch(url + path, { headers: { Authorization: admin } })).json();
    if (!json.result?.status) fail(`GET ${path}: ${JSON.stringify(json)}`);
    return json.result.value;
  };
  const expect = (what, actual, wanted) => {
    if (JSON.stringify(actual) !== JSON.stringify(wanted)) fail(`${what}: ${JSON.stringify(actual)}, not ${JSON.stringify(wanted)}`);
  };
  const page = await newPage();
  await logIn(page, 'admin', 'webui-admin-pw');
  const status = (text) => page.getByRole('status').filter({ hasText: text }).waitFor();
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('button', { name: 'CA connectors', exact: true }).click();

  const form = page.getByRole('form', { name: 'New CA connector' });
  await form.getByLabel('Connector name').fill('acme');
  await form.getByRole('combobox', { name: 'Connector type' }).selectOption('ca_acme');
  await form.getByLabel(/^Directory URL/).fill(`https://127.0.0.1:${port}/dir`);
  await form.getByLabel('External Account Binding: key id').fill('kid-1');
  // A wrong MAC key first: Pebble's refusal is shown and nothing is stored.
  await form.getByLabel(/^External Account Binding: MAC key/).fill('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
  await form.getByRole('combobox', { name: "Agree to the CA's terms of service" }).selectOption('true');
  await form.getByLabel(/^Trust file/).fill(join(pebble, 'ca.pem'));
  await form.getByLabel(/^Challenge types/).fill('http-01');
  await form.getByRole('button', { name: 'Create the connector' }).click();
  await page.getByRole('alert').filter({ hasText: 'the ACME CA refused' }).waitFor();
  expect('connectors after the refusal', await get('/caconnector/'), []);
  await form.getByLabel(/^External Account Binding: MAC key/).fill(macKey);
  await form.getByRole('button', { name: 'Create the connector' }).click();
  await status('CA connector acme created.');
  const [made] = await get('/caconnector/acme');
  expect('the connector', [made.type, made.data.directory_url, made.data.eab_kid, made.data.eab_hmac_key],
    ['ca_acme', `https://127.0.0.1:${port}/dir`, 'kid-1', '***']);

  const card = page.getByRole('article', { name: 'CA connector acme' });
  await card.getByRole('button', { name: 'Add a profile' }).click();
  const profile = card.getByRole('form', { name: 'Certificate profile for acme' });
  await profile.getByLabel('Profile name').fill('device');
  await profile.getByRole('group', { name: 'Key types' }).getByLabel('ec-p256').check();
  await profile.getByRole('group', { name: 'Extended key usage' }).getByLabel('clientAuth').check();
  await profile.getByRole('group', { name: 'Extended key usage' }).getByLabel('serverAuth').check();
  await profile.getByLabel('Subject CN (required)').fill('{username}.devices.corp.example');
  await profile.getByLabel(/^DNS name as an alternative name/).fill('{username}.devices.corp.example');
  await profile.getByLabel("The user's e-mail address as an alternative name").uncheck();
  await profile.getByRole('button', { name: 'Save the profile' }).click();
  await status('Profile device of acme saved.');
  expect('the profile', (await get('/caconnector/acme'))[0].templates.device.san_dns, '{username}.devices.corp.example');
  await page.screenshot({ path: join(screenshots, 'admin-ca-acme.png'), fullPage: true });

  // A certificate from Pebble for alice: listed in All tokens, enrolled, with its expiry.
  const { json: issued } = await request('POST', '/token/init', { type: 'certificate', user: 'alice', realm: 'corp', ca: 'acme', profile: 'device', genkey: '1', password: 'p12-password' }, admin);
  const serial = issued?.detail?.serial;
  if (!serial || issued.detail.rollout_state !== 'enrolled') fail(`no certificate: ${JSON.stringify(issued)}`);
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('button', { name: 'All tokens', exact: true }).click();
  const row = page.locator(`tr[data-serial="${serial}"]`);
  await row.waitFor();
  const text = await row.innerText();
  if (!text.includes('enrolled') || !text.includes('alice')) fail(`the token's row: ${text}`);

  // The connector's own actions: the account key rolled over after a confirmation (Pebble takes
  // the next order signed with the new key), then the connector deleted with its account
  // deactivated at the CA.
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('button', { name: 'CA connectors', exact: true }).click();
  await card.getByRole('button', { name: 'Roll over account key' }).click();
  await card.getByRole('group', { name: 'Confirm roll over account key' }).getByRole('button', { name: 'Yes' }).click();
  await status('acme: the ACME account https://');
  const { json: after } = await request('POST', '/token/init', { type: 'certificate', user: 'alice', realm: 'corp', ca: 'acme', profile: 'device', genkey: '1', password: 'p12-password' }, admin);
  if (after?.detail?.rollout_state !== 'enrolled') fail(`no certificate after the rollover: ${JSON.stringify(after)}`);
  await card.getByRole('button', { name: 'Delete and deactivate account' }).click();
  await card.getByRole('group', { name: 'Confirm deactivate account' }).getByRole('button', { name: 'Yes' }).click();
  await status('CA connector acme deleted.');
  expect('connectors after the deletion', await get('/caconnector/'), []);
  const audit = await get('/audit/?page_size=20');
  if (!audit.auditdata.some((row) => (row.info || '').includes('after deactivate_account: the ACME account')))
    fail(`no audit row of the deactivation: ${JSON.stringify(audit.auditdata.slice(0, 3))}`);
  return 'an admin made an ACME connector with EAB and a profile from the forms, its certificate is listed, its key rolled over and the connector deleted with its account deactivated';
});
