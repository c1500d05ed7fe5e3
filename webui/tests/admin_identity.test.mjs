// End to end in headless Chromium: an admin manages resolvers (sql and ldap), realms, users and
// policies from the admin console, and after every step the REST API shows the server's state
// as entered; bad input gets the server's message.
// Usage: node admin_identity.test.mjs SERVER_BINARY PLUGIN_DIR WEBUI_DIR SCREENSHOT_DIR
import { join } from 'node:path';
import { fail, scenario } from './harness.mjs';

await scenario(['400', '409'], async ({ admin, url, screenshots, newPage, logIn }) => {
  const get = async (path) => {
    const r = await fetch(url + path, { headers: { Authorization: admin } });
    const json = await r.json();
    if (!json.result?.status) fail(`GET ${path}: ${JSON.stringify(json)}`);
    return json.result.value;
  };
  const expect = (what, actual, wanted) => {
    if (JSON.stringify(actual) !== JSON.stringify(wanted))
      fail(`${what}: the server has ${JSON.stringify(actual)}, not ${JSON.stringify(wanted)}`);
  };
  // Whether name logs in with password (as a user of realm).
  const logsIn = async (name, password, realm) => {
    const r = await fetch(url + '/auth', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: name, password, realm }),
    });
    return (await r.json()).result?.status === true;
  };

  const page = await newPage();
  await logIn(page, 'admin', 'webui-admin-pw');
  const tab = (name) => page.getByRole('navigation', { name: 'Admin' }).getByRole('button', { name, exact: true }).click();
  const status = (text) => page.getByRole('status').filter({ hasText: text }).waitFor();
  const alert = (text) => page.getByRole('alert').filter({ hasText: text }).waitFor();
  const confirmDelete = async (name) => {
    await page.getByRole('button', { name: `Delete ${name}`, exact: true }).click();
    await page.getByRole('group', { name: `Confirm deleting ${name}` }).getByRole('button', { name: 'Yes, delete' }).click();
  };

  // Resolvers: a second built-in store, and an LDAP directory whose password is never shown.
  await tab('Resolvers');
  await page.locator('tr[data-resolver="local"]').waitFor();
  await page.getByRole('textbox', { name: 'Resolver name' }).fill('staff');
  await page.getByRole('combobox', { name: 'Type', exact: true }).selectOption('sql');
  await page.getByRole('button', { name: 'Save the resolver' }).click();
  await status('Resolver staff saved.');
  expect('resolver staff', (await get('/resolver/')).staff, { resolvername: 'staff', type: 'sql', data: {}, version: 1 });

  await page.getByRole('textbox', { name: 'Resolver name' }).fill('directory');
  await page.getByRole('combobox', { name: 'Type', exact: true }).selectOption('ldap');
  await page.getByRole('textbox', { name: /^Server URI/ }).fill('ldap://ldap.corp.example:389');
  await page.getByRole('textbox', { name: /^Base DN/ }).fill('ou=people,dc=corp,dc=example');
  await page.getByRole('textbox', { name: /^Bind DN/ }).fill('cn=reader,dc=corp,dc=example');
  await page.getByLabel(/^Bind password/).fill('reader-secret');
  await page.getByRole('textbox', { name: /^Login attribute/ }).fill('sAMAccountName');
  await page.getByRole('checkbox', { name: 'StartTLS' }).check();
  await page.getByRole('textbox', { name: 'email', exact: true }).fill('userPrincipalName');
  await page.screenshot({ path: join(screenshots, 'admin-resolvers-ldap.png'), fullPage: true });
  await page.getByRole('button', { name: 'Save the resolver' }).click();
  await status('Resolver directory saved.');
  let ldap = (await get('/resolver/')).directory;
  expect('ldap resolver', [ldap.type, ldap.data.uri, ldap.data.base_dn, ldap.data.bind_dn, ldap.data.login_attribute,
    ldap.data.user_filter, ldap.data.start_tls, ldap.data.timeout_seconds, ldap.data.attributes.email,
    ldap.data.attributes.surname, ldap.data.bind_password],
  ['ldap', 'ldap://ldap.corp.example:389', 'ou=people,dc=corp,dc=example', 'cn=reader,dc=corp,dc=example', 'sAMAccountName',
    '(objectClass=inetOrgPerson)', true, 5, 'userPrincipalName', 'sn', '__CENSORED__']);
  const row = page.locator('tr[data-resolver="directory"]');
  const shown = await row.innerText();
  if (shown.includes('reader-secret') || shown.includes('CENSORED') || !shown.includes('(password set)'))
    fail('the resolver list shows: ' + shown);

  // An update without the password keeps it; a new server without it is refused.
  await page.getByRole('button', { name: 'Edit directory' }).click();
  await page.getByRole('heading', { name: 'Edit resolver directory' }).waitFor();
  if ((await page.getByLabel(/^Bind password/).inputValue()) !== '') fail('the bind password field is not empty');
  await page.getByRole('textbox', { name: /^Base DN/ }).fill('ou=staff,dc=corp,dc=example');
  // An emptied attribute is "not read", not "back to the default".
  await page.getByRole('textbox', { name: 'mobile', exact: true }).fill('');
  await page.getByRole('button', { name: 'Save the resolver' }).click();
  await status('Resolver directory saved.');
  ldap = (await get('/resolver/')).directory;
  expect('ldap resolver after edit', [ldap.data.base_dn, ldap.data.bind_password, ldap.data.start_tls, ldap.data.attributes.mobile],
    ['ou=staff,dc=corp,dc=example', '__CENSORED__', true, '']);
  await page.getByRole('button', { name: 'Edit directory' }).click();
  await page.getByRole('textbox', { name: /^Server URI/ }).fill('ldap://elsewhere.example:389');
  await page.getByRole('button', { name: 'Save the resolver' }).click();
  await alert('give bind_password again');
  expect('ldap uri after the refused edit', (await get('/resolver/')).directory.data.uri, 'ldap://ldap.corp.example:389');
  await page.getByRole('button', { name: 'New resolver instead' }).click();
  await page.screenshot({ path: join(screenshots, 'admin-resolvers.png'), fullPage: true });

  // Realms: a new realm with resolvers in the order ticked, the default realm, deleting.
  await tab('Realms');
  await page.locator('tr[data-realm="corp"]').waitFor();
  await page.getByRole('textbox', { name: 'Realm name' }).fill('staff-realm');
  await page.getByRole('checkbox', { name: /^staff \(sql\)/ }).check();
  await page.getByRole('button', { name: 'Save the realm' }).click();
  await status('Realm staff-realm saved.');
  let realms = await get('/realm/');
  expect('realm staff-realm', realms['staff-realm'], { default: false, resolver: [{ name: 'staff', type: 'sql', priority: 1 }], version: 1 });

  await page.getByRole('button', { name: 'Edit staff-realm' }).click();
  await page.getByRole('checkbox', { name: /^local \(sql\)/ }).check();
  await page.getByRole('button', { name: 'Save the realm' }).click();
  await status('Realm staff-realm saved.');
  realms = await get('/realm/');
  expect('resolvers of staff-realm', realms['staff-realm'].resolver.map((r) => `${r.priority}:${r.name}`), ['1:staff', '2:local']);

  await page.getByRole('button', { name: 'Make staff-realm the default realm' }).click();
  await status('staff-realm is the default realm.');
  expect('default realm', Object.keys(await get('/defaultrealm')), ['staff-realm']);
  await page.getByRole('button', { name: 'Make corp the default realm' }).click();
  await status('corp is the default realm.');
  expect('default realm', Object.keys(await get('/defaultrealm')), ['corp']);

  await page.getByRole('textbox', { name: 'Realm name' }).fill('scratch');
  await page.getByRole('checkbox', { name: /^directory \(ldap\)/ }).check();
  await page.getByRole('button', { name: 'Save the realm' }).click();
  await status('Realm scratch saved.');
  expect('realm scratch', (await get('/realm/')).scratch?.resolver.map((r) => r.name), ['directory']);
  await page.screenshot({ path: join(screenshots, 'admin-realms.png'), fullPage: true });
  await confirmDelete('scratch');
  await status('Realm scratch deleted.');
  expect('realms', Object.keys(await get('/realm/')).sort(), ['corp', 'staff-realm']);

  // A resolver in a realm cannot go (the server says why); one in no realm can.
  await tab('Resolvers');
  await confirmDelete('staff');
  await alert("the resolver is used by realm 'staff-realm'; remove it there first");
  await confirmDelete('directory');
  await status('Resolver directory deleted.');
  expect('resolvers', Object.keys(await get('/resolver/')).sort(), ['local', 'staff']);

  // Users: create in the chosen realm and resolver, find, edit, delete.
  await tab('Users');
  await page.locator('tr[data-user="alice"]').waitFor();
  await page.getByRole('combobox', { name: 'Realm', exact: true }).selectOption('staff-realm');
  await page.getByRole('heading', { name: 'New user in realm staff-realm' }).waitFor();
  await page.locator('tr[data-user="alice"]').waitFor();
  await page.getByRole('combobox', { name: 'Resolver', exact: true }).selectOption('staff');
  await page.getByRole('textbox', { name: 'User name', exact: true }).fill('carol');
  await page.getByLabel(/^Password/).fill('carol-password-1');
  await page.getByRole('textbox', { name: 'Given name', exact: true }).fill('Carol');
  await page.getByRole('textbox', { name: 'Surname', exact: true }).fill('Jones');
  await page.getByRole('textbox', { name: 'E-mail', exact: true }).fill('carol@corp.example');
  await page.getByRole('textbox', { name: 'Phone', exact: true }).fill('+49 30 1234');
  await page.getByRole('button', { name: 'Create the user' }).click();
  await status('User carol created.');
  await page.locator('tr[data-user="carol"]').waitFor();
  let carol = await get('/user/?realm=staff-realm&username=carol');
  expect('user carol', carol.map((u) => [u.resolver, u.givenname, u.surname, u.email, u.phone, u.mobile, u.editable]),
    [['staff', 'Carol', 'Jones', 'carol@corp.example', '+49 30 1234', '', true]]);
  if (!(await logsIn('carol', 'carol-password-1', 'staff-realm'))) fail('carol cannot log in with her password');

  await page.getByRole('searchbox', { name: /^User name contains/ }).fill('car');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.locator('tr[data-user="alice"]').waitFor({ state: 'detached' });
  const listed = await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.user));
  expect('users found for "car"', listed, ['carol']);

  await page.getByRole('textbox', { name: 'User name', exact: true }).fill('dave');
  await page.getByLabel(/^Password/).fill('short');
  await page.getByRole('button', { name: 'Create the user' }).click();
  await alert('a password needs at least 8 characters');
  expect('users named dave', await get('/user/?realm=staff-realm&username=dave'), []);

  await page.getByRole('button', { name: 'Edit carol' }).click();
  await page.getByRole('heading', { name: 'Edit user carol' }).waitFor();
  // The keyboard focus goes to the form's first field that can change.
  await page.waitForFunction(() => document.activeElement?.type === 'password');
  await page.getByRole('textbox', { name: 'Surname', exact: true }).fill('Smith');
  await page.getByRole('textbox', { name: 'Mobile', exact: true }).fill('+49 170 555');
  await page.getByLabel(/^Password/).fill('carol-password-2');
  await page.screenshot({ path: join(screenshots, 'admin-users.png'), fullPage: true });
  await page.getByRole('button', { name: 'Save the user' }).click();
  await status('User carol updated.');
  carol = await get('/user/?realm=staff-realm&username=carol');
  expect('user carol after edit', carol.map((u) => [u.givenname, u.surname, u.email, u.mobile]),
    [['Carol', 'Smith', 'carol@corp.example', '+49 170 555']]);
  if (!(await logsIn('carol', 'carol-password-2', 'staff-realm'))) fail("carol's new password does not work");
  if (await logsIn('carol', 'carol-password-1', 'staff-realm')) fail("carol's old password still works");

  await confirmDelete('carol');
  await status('User carol deleted.');
  expect('users named carol', await get('/user/?realm=staff-realm&username=carol'), []);

  // Policies: create, disable, a bad action, edit, delete.
  await tab('Policies');
  await page.getByText('No policy yet.').waitFor();
  await page.getByRole('textbox', { name: 'Policy name' }).fill('lockout');
  await page.getByRole('combobox', { name: 'Scope' }).selectOption('authentication');
  // The server's known actions of the scope are offered; one click adds one.
  await page.getByRole('group', { name: 'Actions of scope authentication' }).getByRole('button', { name: 'max_fail', exact: true }).click();
  expect('the action after a click', await page.getByRole('textbox', { name: /^Action/ }).inputValue(), 'max_fail=');
  await page.getByRole('textbox', { name: /^Action/ }).fill('max_fail=5, otppin=userstore');
  await page.getByRole('textbox', { name: /^Realms/ }).fill('staff-realm');
  await page.getByRole('textbox', { name: /^Clients/ }).fill('10.0.0.0/8');
  await page.getByRole('spinbutton', { name: /^Priority/ }).fill('3');
  await page.getByRole('button', { name: 'Save the policy' }).click();
  await status('Policy lockout saved.');
  const policy = async () => (await get('/policy/')).find((p) => p.name === 'lockout');
  let p = await policy();
  expect('policy lockout', p && [p.scope, p.action, p.realm, p.resolver, p.user, p.client, p.priority, p.active],
    ['authentication', 'max_fail=5, otppin=userstore', 'staff-realm', '', '', '10.0.0.0/8', 3, true]);

  await page.getByRole('button', { name: 'Disable lockout' }).click();
  await status('Policy lockout disabled.');
  await page.getByRole('button', { name: 'Enable lockout' }).waitFor();
  p = await policy();
  expect('policy lockout after disabling', [p.active, p.action, p.priority], [false, 'max_fail=5, otppin=userstore', 3]);

  await page.getByRole('textbox', { name: 'Policy name' }).fill('broken');
  await page.getByRole('textbox', { name: /^Action/ }).fill('colour=red');
  await page.getByRole('button', { name: 'Save the policy' }).click();
  await alert("unknown action 'colour' in scope authentication");
  expect('policies', (await get('/policy/')).map((x) => x.name), ['lockout']);

  await page.getByRole('button', { name: 'Edit lockout' }).click();
  await page.getByRole('heading', { name: 'Edit policy lockout' }).waitFor();
  await page.getByRole('spinbutton', { name: /^Priority/ }).fill('2');
  await page.getByRole('checkbox', { name: 'Active' }).check();
  await page.getByRole('button', { name: 'Save the policy' }).click();
  await status('Policy lockout saved.');
  p = await policy();
  expect('policy lockout after edit', [p.priority, p.active, p.realm], [2, true, 'staff-realm']);

  // Another admin saves while this form is open: this save is refused, theirs stays.
  await page.getByRole('button', { name: 'Edit lockout' }).click();
  await page.getByRole('spinbutton', { name: /^Priority/ }).fill('7');
  const other = await fetch(url + '/policy/lockout', {
    method: 'POST',
    headers: { Authorization: admin, 'Content-Type': 'application/json' },
    body: JSON.stringify({ scope: 'authentication', action: 'max_fail=5, otppin=userstore', realm: 'staff-realm', client: '10.0.0.0/8', priority: 4, version: p.version }),
  });
  if (other.status !== 200) fail(`the other admin's save: ${other.status}`);
  await page.getByRole('button', { name: 'Save the policy' }).click();
  await alert("policy 'lockout' was changed by someone else since you read it");
  expect('priority after the stale save', (await policy()).priority, 4);
  await page.getByRole('button', { name: 'New policy instead' }).click();
  await page.screenshot({ path: join(screenshots, 'admin-policies.png'), fullPage: true });

  // Deleting from the keyboard: Enter asks, the focus is on Cancel, Shift+Tab reaches "Yes, delete".
  await page.getByRole('button', { name: 'Delete lockout' }).focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.textContent === 'Cancel');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Enter');
  await status('Policy lockout deleted.');
  await page.getByText('No policy yet.').waitFor();
  expect('policies', await get('/policy/'), []);
  return 'an admin managed resolvers, realms, users and policies, and the server has them as entered';
});
