// What the browser tests share: a real server on a fresh SQLite database with realm corp and
// user alice (password alice-password), and Debian's Chromium under Playwright.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export function fail(message) {
  throw new Error(message);
}

// extraConfig: more top-level YAML for the server's configuration (e.g. an events section).
async function startServer(binary, pluginDir, webuiDir, extraConfig = '') {
  const work = mkdtempSync(join(tmpdir(), 'tessera-webui-'));
  writeFileSync(
    join(work, 'tessera.yaml'),
    `server:
  listen: [ { address: 127.0.0.1, port: 0, tls: false } ]
  webui_dir: ${webuiDir}
data_dir: ${work}/data
database: { url: "sqlite://${work}/data/tessera.db" }
plugins: { directories: [ "${pluginDir}" ] }
log: { level: warning }
${extraConfig}`,
  );
  const child = spawn(binary, ['--config', join(work, 'tessera.yaml')], {
    env: { ...process.env, TESSERA_ADMIN_PASSWORD: 'webui-admin-pw' },
  });
  const stop = () => {
    child.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  };
  try {
    const url = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk;
        const m = out.match(/Tessera listening on (\S+)/);
        if (m) resolve(m[1]);
      });
      let errors = '';
      child.stderr.on('data', (chunk) => (errors += chunk));
      child.on('exit', (code) => reject(new Error(`the server exited (${code}): ${errors}`)));
      setTimeout(() => reject(new Error('the server did not start')), 20000).unref();
    });
    const api = async (path, body, token) => {
      const r = await fetch(url + path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: token } : {}) },
        body: JSON.stringify(body),
      });
      const json = await r.json();
      if (!json.result?.status) fail(`${path}: ${JSON.stringify(json)}`);
      return json.result.value;
    };
    const admin = (await api('/auth', { username: 'admin', password: 'webui-admin-pw' })).token;
    await api('/resolver/local', { type: 'sql' }, admin);
    await api('/realm/corp', { resolvers: 'local' }, admin);
    await api('/user/', { user: 'alice', resolver: 'local', password: 'alice-password' }, admin);
    return { url, api, admin, work, stop };
  } catch (e) {
    stop();
    throw e;
  }
}

function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--disable-quic',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--no-first-run'],
  });
}

// Runs one browser scenario (node <test> SERVER_BINARY PLUGIN_DIR WEBUI_DIR SCREENSHOT_DIR):
// a fresh server and browser; body gets them with newPage (pages whose console errors are
// collected), logIn and tabTo, and returns what it showed. Console errors other than the
// browser's note of an expected HTTP status (allowedStatus: one or a list) fail the scenario. Sets the exit code.
// options.config: more top-level YAML for the server's configuration.
export async function scenario(allowedStatus, body, options = {}) {
  // Absolute, as the server reads its configuration's paths relative to the file.
  const [binary, pluginDir, webuiDir, screenshots] = process.argv.slice(2).map((p) => resolve(p));
  mkdirSync(screenshots, { recursive: true });
  const server = await startServer(binary, pluginDir, webuiDir, options.config);
  let browser;
  try {
    browser = await launchBrowser();
    const problems = [];
    const newPage = async (options = {}) => {
      const page = await (await browser.newContext(options)).newPage();
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      page.on('pageerror', (e) => problems.push(e.message));
      return page;
    };
    const logIn = async (page, name, password, realm = '') => {
      await page.goto(server.url + '/');
      await page.getByLabel('User name').fill(name);
      await page.getByLabel('Password').fill(password);
      await page.getByLabel('Realm').fill(realm);
      await page.getByRole('button', { name: 'Log in' }).click();
    };
    // Moves the focus with the Tab key alone until it is on the element whose text or label
    // matches name: proof that the keyboard reaches it.
    const tabTo = async (page, name, most = 60) => {
      for (let i = 0; i < most; ++i) {
        if (i > 0) await page.keyboard.press('Tab');
        const focused = await page.evaluate(() => {
          const e = document.activeElement;
          if (!e || e === document.body) return '';
          return (e.getAttribute('aria-label') || e.labels?.[0]?.textContent || e.textContent || '').trim();
        });
        if (name instanceof RegExp ? name.test(focused) : focused.startsWith(name)) return;
      }
      fail(`the Tab key never reached '${name}'`);
    };
    const shown = await body({ ...server, browser, screenshots, newPage, logIn, tabTo });
    const unexpected = problems.filter((p) => ![].concat(allowedStatus).some((s) => p.includes(s)));
    if (unexpected.length) fail('console errors: ' + unexpected.join(' | '));
    console.log(`WebUI: ${shown}: OK`);
  } catch (e) {
    console.error(e.message);
    process.exitCode = 1;
  } finally {
    await browser?.close();
    server.stop();
  }
}
