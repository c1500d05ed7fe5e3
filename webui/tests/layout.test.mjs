// Every page of the WebUI, the users' and the admins', at 1280×800, at 390×844 (a phone) and at
// 320×640 (the narrowest kept usable): no horizontal scrolling, no tap target under 24×24 CSS
// pixels, a heading of level one, and axe-core (WCAG 2.2 A and AA, and best practice) finds
// nothing serious or critical. Screenshots of some pages at each width go to the screenshot
// folder.
// Usage: node layout.test.mjs SERVER_BINARY PLUGIN_DIR WEBUI_DIR SCREENSHOT_DIR
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fail, layoutProblems as problemsOf, scenario } from './harness.mjs';

const seed = '3132333435363738393031323334353637383930';
const viewports = [
  { name: 'wide', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
  { name: 'small', width: 320, height: 640 }, // the narrowest screen the pages are kept usable at
];
const adminPages = ['Dashboard', 'Approvals', 'All tokens', 'Audit log', 'Users', 'Realms', 'Resolvers',
  'Organizations', 'Forms', 'Policies', 'CA connectors', 'Event handlers', 'Outbox', 'Plugins'];

await scenario([], async ({ api, url, admin, work, screenshots, browser, logIn }) => {
  // Something on every page: tokens, a CA with two profiles, a request waiting for approval, a
  // policy, an event handler, an organization with a form.
  await api('/token/init', { type: 'hotp', serial: 'H1', otpkey: seed, user: 'alice', realm: 'corp' }, admin);
  await api('/token/init', { type: 'totp', serial: 'T1', otpkey: seed, user: 'alice', realm: 'corp' }, admin);
  await api('/caconnector/corp', { type: 'ca_local' }, admin);
  await api('/caconnector/corp/profile/user', { key_types: 'ec-p256', approval: '1' }, admin);
  await api('/caconnector/corp/profile/laptop', { key_types: 'ec-p256,rsa-3072', validity_days: '30,90' }, admin);
  execFileSync('openssl', ['req', '-new', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
    '-keyout', join(work, 'a.key'), '-out', join(work, 'a.csr'), '-subj', '/CN=alice',
    '-addext', 'subjectAltName=email:alice@corp.example'], { stdio: 'pipe' });
  const { readFileSync } = await import('node:fs');
  await api('/token/init', { type: 'certificate', user: 'alice', realm: 'corp', ca: 'corp', profile: 'user',
    request: readFileSync(join(work, 'a.csr'), 'utf8') }, admin);
  await api('/policy/pins', { scope: 'enrollment', action: 'otp_pin_minlength=6', realm: 'corp' }, admin);
  await api('/event/on-enroll', { name: 'on-enroll', event: 'token_init', handlermodule: 'logging', action: 'log' }, admin)
    .catch(() => {}); // a page with or without a handler is checked either way
  await api('/organization/acme', { display_name: 'ACME Ltd', realm: 'corp' }, admin).catch(() => {});

  // The checks themselves find what they look for: a page made to fail each of them.
  const probe = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await probe.setContent(
    '<main><h2>Probe</h2><button style="padding:0;font-size:9px">x</button>' +
      '<table style="width:900px"><tr><td>wide</td></tr></table><img src="data:,"></main>',
  );
  const caught = (await problemsOf(probe, 'probe')).join('\n');
  for (const expected of ['scrolls sideways', 'no heading of level one', "tap target button 'x'", 'axe image-alt'])
    if (!caught.includes(expected)) fail(`the checks missed '${expected}' on a page made to fail: ${caught}`);
  await probe.close();

  const problems = [];
  for (const v of viewports) {
    const context = await browser.newContext({ viewport: { width: v.width, height: v.height }, bypassCSP: true });
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`${v.name}: ${e.message}`));

    await page.goto(url + '/');
    await page.getByRole('form', { name: 'Log in' }).waitFor();
    problems.push(...(await problemsOf(page, `${v.name} login`)));

    // The user's page, and each of its enrollment panels.
    await logIn(page, 'alice', 'alice-password', 'corp');
    await page.locator('td.state').first().waitFor();
    problems.push(...(await problemsOf(page, `${v.name} user's tokens`)));
    await page.screenshot({ path: join(screenshots, `${v.name}-user-tokens.png`), fullPage: true });
    for (const [button, ready] of [
      ['Enroll an authenticator app (TOTP)', 'Create the token'],
      ['Request a certificate', 'Request the certificate'],
      ['Enroll a smart card', 'Pair'],
    ]) {
      await page.getByRole('button', { name: button }).click();
      await page.getByRole('button', { name: ready }).waitFor();
      await page.waitForTimeout(300); // the profiles arrive
      problems.push(...(await problemsOf(page, `${v.name} user's '${button}'`)));
      if (button === 'Request a certificate')
        await page.screenshot({ path: join(screenshots, `${v.name}-certificate-request.png`), fullPage: true });
      await page.getByRole('button', { name: 'Log out' }).click();
      await logIn(page, 'alice', 'alice-password', 'corp');
      await page.locator('td.state').first().waitFor();
    }
    await page.getByRole('button', { name: 'Log out' }).click();

    // Every admin page.
    await logIn(page, 'admin', 'webui-admin-pw');
    await page.locator('#admin-pages').waitFor({ state: 'attached' });
    for (const label of adminPages) {
      const toggle = page.getByRole('button', { name: /^Pages: / });
      if (await toggle.isVisible()) await toggle.click();
      await page.getByRole('navigation', { name: 'Admin' }).getByRole('button', { name: label, exact: true }).click();
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle');
      problems.push(...(await problemsOf(page, `${v.name} admin '${label}'`)));
      if (['Dashboard', 'All tokens', 'Approvals', 'CA connectors'].includes(label))
        await page.screenshot({
          path: join(screenshots, `${v.name}-admin-${label.toLowerCase().replace(/ /g, '-')}.png`),
          fullPage: true,
        });
    }
    // On a phone the page starts at the top: its heading is in the first screen.
    if (v.width < 800) {
      const top = await page.locator('main h1').evaluate((h) => h.getBoundingClientRect().top);
      if (top > 200) problems.push(`${v.name}: the page's heading starts ${Math.round(top)} px down`);
    }
    await context.close();
  }
  if (problems.length) fail(problems.join('\n'));
  return `${adminPages.length} admin pages, the user's page with its panels and the login, at ${viewports.map((v) => `${v.width}×${v.height}`).join(' and ')}: no sideways scrolling, tap targets of 24 px, no serious axe finding`;
});
