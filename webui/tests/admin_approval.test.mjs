// End to end in headless Chromium: a user requests a certificate from a CSR under a profile
// that needs approval and sees it waiting; an admin approves it in the queue; the user then
// sees it enrolled.
// Usage: node admin_approval.test.mjs SERVER_BINARY PLUGIN_DIR WEBUI_DIR SCREENSHOT_DIR
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fail, scenario } from './harness.mjs';

await scenario('401', async ({ api, admin, work, screenshots, newPage, logIn }) => {
  await api('/caconnector/corp', { type: 'ca_local' }, admin);
  await api('/caconnector/corp/profile/user', { key_types: 'ec-p256', approval: '1' }, admin);
  execFileSync('openssl', ['req', '-new', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
    '-keyout', join(work, 'alice.key'), '-out', join(work, 'alice.csr'), '-subj', '/CN=alice'], { stdio: 'pipe' });

  // Alice uploads her CSR.
  const user = await newPage();
  await logIn(user, 'alice', 'alice-password', 'corp');
  await user.getByRole('button', { name: 'Request a certificate' }).click();
  await user.getByLabel('I have a certificate signing request (CSR)').check();
  await user.getByLabel('or a file').setInputFiles(join(work, 'alice.csr'));
  await user.getByRole('button', { name: 'Request the certificate' }).click();
  await user.getByRole('status').filter({ hasText: 'waiting for approval' }).waitFor();
  await user.getByRole('button', { name: 'Done' }).click();
  if ((await user.locator('td.state').first().textContent()) !== 'pending') fail('not pending');

  // An admin approves it in the queue.
  const adminPage = await newPage();
  await logIn(adminPage, 'admin', 'webui-admin-pw', '');
  await adminPage.getByRole('button', { name: 'Approvals' }).click();
  const row = adminPage.locator('tr', { hasText: 'alice@corp' });
  await row.waitFor();
  await adminPage.screenshot({ path: join(screenshots, 'approvals.png') });
  await row.getByLabel(/Reason for/).fill('badge checked');
  await row.getByRole('button', { name: 'Approve' }).click();
  await adminPage.getByRole('status').filter({ hasText: 'approved' }).waitFor();
  await adminPage.getByText('Nothing waits.').waitFor();

  // Alice sees it enrolled.
  await user.reload();
  await user.locator('td.state').filter({ hasText: 'enrolled' }).waitFor();
  return 'pending certificate approved by an admin, enrolled for the user';
});
