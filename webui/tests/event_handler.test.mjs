// End to end in headless Chromium: an admin creates an e-mail event handler from the form that
// the server's schemas build (events, handler modules, actions and their options, the known
// conditions), and the server has it as entered; editing brings its conditions back.
// Usage: node event_handler.test.mjs SERVER_BINARY PLUGIN_DIR WEBUI_DIR SCREENSHOT_DIR
import { join } from 'node:path';
import { fail, scenario } from './harness.mjs';

await scenario('400', async ({ api, admin, url, screenshots, newPage, logIn }) => {
  await api('/notifier/mail', { type: 'email', host: 'smtp.corp.example', sender: 'tessera@corp.example' }, admin);
  const page = await newPage();
  await logIn(page, 'admin', 'webui-admin-pw');
  await page.getByRole('button', { name: 'Event handlers' }).click();
  await page.getByText('No handler yet.').waitFor();

  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('pending-mail');
  await page.getByRole('combobox', { name: 'Event', exact: true }).selectOption('token_init');
  await page.getByRole('combobox', { name: 'Handler module' }).selectOption('mail');
  await page.getByRole('combobox', { name: 'Action', exact: true }).selectOption('sendmail');
  await page.getByRole('combobox', { name: 'to', exact: true }).selectOption('tokenowner');
  await page.getByRole('textbox', { name: 'subject', exact: true }).fill('Request {serial} is pending');
  await page.getByRole('textbox', { name: 'body', exact: true }).fill('Dear {givenname}, an admin will look at it.');
  // Two conditions, the known names offered; one removed again.
  for (const [i, [name, value]] of [['rollout_state', 'pending'], ['tokentype', 'certificate'], ['realm', 'corp']].entries()) {
    await page.getByRole('button', { name: 'Add a condition' }).click();
    await page.getByLabel(`Condition ${i + 1} name`).fill(name);
    await page.getByLabel(`Condition ${i + 1} value`).fill(value);
  }
  if ((await page.locator('#handler-conditions option').count()) < 10) fail('the known conditions are not offered');
  await page.getByText("the token's rollout state is one of these").first().waitFor();
  await page.getByRole('button', { name: 'Remove condition 3' }).click();
  await page.screenshot({ path: join(screenshots, 'event-handler.png'), fullPage: true });
  await page.getByRole('button', { name: 'Create the handler' }).click();
  await page.getByRole('status').filter({ hasText: 'Handler pending-mail created.' }).waitFor();
  await page.locator('td', { hasText: 'token_init (post)' }).waitFor();

  // A bad condition gets the server's message.
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('broken');
  await page.getByLabel('Condition 1 name').fill('colour');
  await page.getByRole('button', { name: 'Create the handler' }).click();
  await page.getByRole('alert').filter({ hasText: "unknown condition 'colour'" }).waitFor();

  const response = await fetch(url + '/event/', { headers: { Authorization: admin } });
  const handlers = (await response.json()).result.value;
  if (handlers.length !== 1) fail(`the server has ${handlers.length} handlers`);
  const h = handlers[0];
  if (h.handlermodule !== 'mail' || h.action !== 'sendmail' || h.options.to !== 'tokenowner' ||
      h.options.subject !== 'Request {serial} is pending' || h.conditions.rollout_state !== 'pending' ||
      h.conditions.tokentype !== 'certificate' || Object.keys(h.conditions).length !== 2)
    fail('the handler is not as entered: ' + JSON.stringify(h));
  // Edited, the handler's conditions come back into the form; one changed, both kept.
  await page.locator('tr', { hasText: 'pending-mail' }).getByRole('button', { name: 'Edit' }).click();
  const second = page.getByLabel('Condition 2 value');
  if ((await second.inputValue()) !== 'certificate') fail('the conditions are not loaded for editing');
  await second.fill('hotp');
  await page.getByRole('button', { name: 'Save the handler' }).click();
  await page.getByRole('status').filter({ hasText: 'Handler pending-mail saved.' }).waitFor();
  const edited = (await (await fetch(url + '/event/', { headers: { Authorization: admin } })).json()).result.value[0];
  if (edited.id !== h.id || edited.conditions.tokentype !== 'hotp' || edited.conditions.rollout_state !== 'pending')
    fail('the edit is not as entered: ' + JSON.stringify(edited));
  return 'an admin created an e-mail event handler from the schemas and edited its conditions';
});
