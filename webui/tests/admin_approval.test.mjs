// End to end in headless Chromium: a user chooses between the two profiles of a CA (each with
// its term and key types) and requests a certificate from a CSR under the one that needs
// approval, and sees it waiting; an admin reads what the CSR asks for (key, subject, names) and
// approves it in the queue; the user's open page then shows it enrolled, without a reload. A
// policy that opens only one profile to the user leaves her that one.
// Usage: node admin_approval.test.mjs SERVER_BINARY PLUGIN_DIR WEBUI_DIR SCREENSHOT_DIR
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fail, scenario } from './harness.mjs';

await scenario('401', async ({ api, request, admin, work, screenshots, newPage, logIn }) => {
  await api('/caconnector/corp', { type: 'ca_local' }, admin);
  await api('/caconnector/corp/profile/user', { key_types: 'ec-p256', approval: '1' }, admin);
  await api('/caconnector/corp/profile/laptop', { key_types: 'ec-p256,rsa-3072', validity_days: '30,90' }, admin);
  execFileSync('openssl', ['req', '-new', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
    '-keyout', join(work, 'alice.key'), '-out', join(work, 'alice.csr'), '-subj', '/CN=alice'], { stdio: 'pipe' });

  // Alice uploads her CSR.
  const user = await newPage();
  await logIn(user, 'alice', 'alice-password', 'corp');
  await user.getByRole('button', { name: 'Request a certificate' }).click();
  // Both profiles, with their terms and key types; the first is chosen, so choose the other.
  const choice = user.getByRole('group', { name: 'Which certificate?' });
  await choice.getByText('laptop from corp: 30 or 90 days; keys ec-p256, rsa-3072').waitFor();
  await choice.getByText('user from corp: 365 days; keys ec-p256; an approver decides').waitFor();
  await choice.getByRole('radio', { name: /^user from corp/ }).check();
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
  // What the CSR asks for, before the decision.
  const asked = row.getByLabel('What the request asks for');
  for (const text of ['EC P-256', 'CN=alice']) {
    if (!(await asked.textContent()).includes(text)) fail(`the request's details lack ${text}: ${await asked.textContent()}`);
  }
  await adminPage.screenshot({ path: join(screenshots, 'approvals.png') });
  await row.getByLabel(/Reason for/).fill('badge checked');
  await row.getByRole('button', { name: 'Approve' }).click();
  await adminPage.getByRole('status').filter({ hasText: 'approved' }).waitFor();
  await adminPage.getByText('Nothing waits.').waitFor();

  // Alice's open page shows it enrolled, without a reload (it asks again while one waits).
  await user.locator('td.state').filter({ hasText: 'enrolled' }).waitFor({ timeout: 15000 });

  // A policy that opens only the laptop profile to her: that one is offered, alone, and the
  // server refuses the other.
  await api('/policy/laptops-only', { scope: 'enrollment', action: 'certificate_profiles=corp/laptop' }, admin);
  await user.getByRole('button', { name: 'Request a certificate' }).click();
  await user.getByText(/^Certificate laptop from corp: 30 or 90 days/).waitFor();
  if (await user.getByRole('group', { name: 'Which certificate?' }).count()) fail('a choice of one was offered');
  const aliceToken = (await api('/auth', { username: 'alice', password: 'alice-password', realm: 'corp' })).token;
  const refused = await request('POST', '/token/init', { type: 'certificate', ca: 'corp', profile: 'user', genkey: '1', password: 'a-long-password' }, aliceToken);
  if (refused.status !== 403 || !refused.text.includes('not open to you')) fail('the closed profile: ' + refused.text);
  return 'a choice of two profiles with their terms and key types; the CSR\'s key and subject shown to the approver; approved, enrolled on the user\'s open page without a reload; a policy leaves one profile';
});
