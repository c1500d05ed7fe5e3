// End to end in headless Chromium against msca_double.py (a strict double of AD CS's enrollment
// web service, started here): an admin makes a Microsoft CA connector from its form (a wrong
// password is refused by the CA's login, the right one is never shown again), a profile naming
// one of the templates the CA's policy service lists, a request the CA manager approves comes in through the poller, and after a
// revocation the certificate is listed for the CA's administrator.
// Usage: node msca_connector.test.mjs SERVER_BINARY PLUGIN_DIR WEBUI_DIR SCREENSHOT_DIR
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail, scenario } from './harness.mjs';

const dir = mkdtempSync(join(tmpdir(), 'tessera-msca-'));
writeFileSync(join(dir, 'password'), 'Webui-Passw0rd');
const script = fileURLToPath(new URL('../../tests/integration/msca_double.py', import.meta.url));
const double = spawn('/usr/bin/python3', [script, dir], { stdio: 'inherit' });
double.unref(); // the scenario's end ends the test, and the exit handler the double
process.on('exit', () => {
  double.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
for (let i = 0; i < 300 && !existsSync(join(dir, 'port')); ++i) await new Promise((r) => setTimeout(r, 100));
const base = `https://127.0.0.1:${readFileSync(join(dir, 'port'), 'utf8').trim()}`;

await scenario(
  '400',
  async ({ request, admin, url, screenshots, newPage, logIn }) => {
    const get = async (path) => {
      const json = await (await fetch(url + path, { headers: { Authorization: admin } })).json();
      if (!json.result?.status) fail(`GET ${path}: ${JSON.stringify(json)}`);
      return json.result.value;
    };
    const page = await newPage();
    await logIn(page, 'admin', 'webui-admin-pw');
    const status = (text) => page.getByRole('status').filter({ hasText: text }).waitFor();
    const adminNav = page.getByRole('navigation', { name: 'Admin' });
    await adminNav.getByRole('button', { name: 'CA connectors', exact: true }).click();

    const form = page.getByRole('form', { name: 'New CA connector' });
    await form.getByLabel('Connector name').fill('adcs');
    await form.getByRole('combobox', { name: 'Connector type' }).selectOption('ca_msca');
    await form.getByRole('combobox', { name: 'Protocol' }).selectOption('wstep');
    await form.getByLabel(/^URL/).fill(`${base}/CES_UsernamePassword/service.svc/CES`);
    await form.getByRole('combobox', { name: 'Login' }).selectOption('usernametoken');
    await form.getByLabel(/^Service account/).fill('CORP\\svc-tessera');
    await form.getByLabel(/^Its password/).fill('wrong');
    await form.getByLabel(/^Trust file/).fill(join(dir, 'tls.pem'));
    await form.getByLabel(/^Enrollment policy service/).fill(`${base}/CEP_UsernamePassword/service.svc/CEP`);
    await form.getByRole('button', { name: 'Create the connector' }).click();
    await page.getByRole('alert').filter({ hasText: 'refused the login' }).waitFor();
    await form.getByLabel(/^Its password/).fill('Webui-Passw0rd');
    await form.getByRole('button', { name: 'Create the connector' }).click();
    await status('CA connector adcs created.');
    const [made] = await get('/caconnector/adcs');
    if (made.data.password !== '***' || made.data.protocol !== 'wstep') fail(`the connector: ${JSON.stringify(made.data)}`);

    const card = page.getByRole('article', { name: 'CA connector adcs' });
    await card.getByRole('button', { name: 'Add a profile' }).click();
    const profile = card.getByRole('form', { name: 'Certificate profile for adcs' });
    await profile.getByLabel('Profile name').fill('managed');
    await profile.getByRole('group', { name: 'Key types' }).getByLabel('ec-p256').check();
    await profile.getByLabel('Subject CN (required)').fill('{username}');
    await profile.getByLabel("The user's e-mail address as an alternative name").uncheck();
    // The templates come from the CA's enrollment policy service (CEP).
    await profile.getByRole('button', { name: /^Templates from the CA/ }).click();
    await profile.getByRole('button', { name: 'Templates from the CA (3)' }).waitFor();
    const offered = await profile.locator('datalist option').evaluateAll((os) => os.map((o) => o.value));
    if (JSON.stringify(offered) !== JSON.stringify(['User', 'Approval', 'Denied'])) fail(`templates offered: ${offered}`);
    await profile.getByLabel(/^The CA's certificate template/).fill('Approval');
    await profile.getByRole('button', { name: 'Save the profile' }).click();
    await status('Profile managed of adcs saved.');
    if ((await get('/caconnector/adcs'))[0].templates.managed.ca_template !== 'Approval') fail('the template was not saved');
    await page.screenshot({ path: join(screenshots, 'admin-ca-msca.png'), fullPage: true });

    // alice's request waits for the CA manager, then comes in through the poller.
    const csr = execFileSync('openssl', ['req', '-new', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-keyout', '/dev/null', '-subj', '/CN=alice'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    const { json: madeToken } = await request('POST', '/token/init', { type: 'certificate', user: 'alice', realm: 'corp', ca: 'adcs', profile: 'managed', request: csr }, admin);
    const serial = madeToken?.detail?.serial;
    if (madeToken?.detail?.rollout_state !== 'pending') fail(`not pending: ${JSON.stringify(madeToken)}`);
    const [pending] = (await get(`/token/?serial=${serial}`)).tokens;
    execFileSync('curl', ['-s', '-X', 'POST', '--cacert', join(dir, 'tls.pem'), `${base}/manager/approve/${pending.info.ca_request_id}`]);
    for (let i = 0; i < 60; ++i) {
      if ((await get(`/token/?serial=${serial}`)).tokens[0].rollout_state === 'enrolled') break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await adminNav.getByRole('button', { name: 'All tokens', exact: true }).click();
    const row = page.locator(`tr[data-serial="${serial}"]`);
    await row.waitFor();
    if (!(await row.innerText()).includes('enrolled')) fail(`the token's row: ${await row.innerText()}`);

    // Revoked here; AD CS's administrator finds it in the list.
    const { json: revoked } = await request('POST', `/token/revoke/${serial}`, { reason: 'keyCompromise' }, admin);
    if (!revoked?.result?.status) fail(`revoke: ${JSON.stringify(revoked)}`);
    await adminNav.getByRole('button', { name: 'CA connectors', exact: true }).click();
    await card.getByRole('button', { name: 'Revocations to do at the CA' }).click();
    const list = card.getByRole('table', { name: 'Revocations to do at adcs' });
    await list.waitFor();
    if (!(await list.innerText()).includes('keyCompromise')) fail(`the revocations: ${await list.innerText()}`);
    return 'an admin made a Microsoft CA connector and profile from the forms; an approved request came in; its revocation is listed for the CA';
  },
  { config: 'events: { poll_interval_seconds: 1 }\n' },
);
