// End to end in headless Chromium: an admin creates an e-mail event handler from the form that
// the server's schemas build (events, handler modules, actions and their options), and the
// server has it as entered.
// Usage: node event_handler.test.mjs SERVER_BINARY PLUGIN_DIR WEBUI_DIR SCREENSHOT_DIR
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fail, launchBrowser, startServer } from './harness.mjs';

const [serverBinary, pluginDir, webuiDir, screenshots] = process.argv.slice(2);
const server = await startServer(serverBinary, pluginDir, webuiDir);
let browser;
try {
  const { api, admin, url } = server;
  await api('/notifier/mail', { type: 'email', host: 'smtp.corp.example', sender: 'tessera@corp.example' }, admin);
  mkdirSync(screenshots, { recursive: true });
  browser = await launchBrowser();
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(url + '/');
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill('webui-admin-pw');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Event handlers' }).click();
  await page.getByText('No handler yet.').waitFor();

  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('pending-mail');
  await page.getByRole('combobox', { name: 'Event', exact: true }).selectOption('token_init');
  await page.getByRole('combobox', { name: 'Handler module' }).selectOption('mail');
  await page.getByRole('combobox', { name: 'Action', exact: true }).selectOption('sendmail');
  await page.getByRole('combobox', { name: 'to', exact: true }).selectOption('tokenowner');
  await page.getByRole('textbox', { name: 'subject', exact: true }).fill('Request {serial} is pending');
  await page.getByRole('textbox', { name: 'body', exact: true }).fill('Dear {givenname}, an admin will look at it.');
  await page.getByLabel('Condition name').fill('rollout_state');
  await page.getByLabel('Condition value').fill('pending');
  await page.screenshot({ path: join(screenshots, 'event-handler.png'), fullPage: true });
  await page.getByRole('button', { name: 'Create the handler' }).click();
  await page.getByRole('status').filter({ hasText: 'Handler pending-mail created.' }).waitFor();
  await page.locator('td', { hasText: 'token_init (post)' }).waitFor();

  // A bad condition gets the server's message.
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('broken');
  await page.getByLabel('Condition name').fill('colour');
  await page.getByRole('button', { name: 'Create the handler' }).click();
  await page.getByRole('alert').filter({ hasText: "unknown condition 'colour'" }).waitFor();

  const response = await fetch(url + '/event/', { headers: { Authorization: admin } });
  const handlers = (await response.json()).result.value;
  if (handlers.length !== 1) fail(`the server has ${handlers.length} handlers`);
  const h = handlers[0];
  if (h.handlermodule !== 'mail' || h.action !== 'sendmail' || h.options.to !== 'tokenowner' ||
      h.options.subject !== 'Request {serial} is pending' || h.conditions.rollout_state !== 'pending')
    fail('the handler is not as entered: ' + JSON.stringify(h));
  const unexpected = problems.filter((p) => !p.includes('400'));
  if (unexpected.length) fail('console errors: ' + unexpected.join(' | '));
  console.log('WebUI: an admin created an e-mail event handler from the schemas: OK');
} catch (e) {
  console.error(e.message);
  process.exitCode = 1;
} finally {
  await browser?.close();
  server.stop();
}
