// What the browser tests share: a real server on a fresh SQLite database with realm corp and
// user alice (password alice-password), and Debian's Chromium under Playwright.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const axe = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', 'axe-core', 'axe.min.js');

export function fail(message) {
  throw new Error(message);
}

// A response as the tests use it: status, text, and the JSON in it (undefined if none).
function answer(status, text) {
  try {
    return { status, text, json: JSON.parse(text) };
  } catch {
    return { status, text, json: undefined };
  }
}

// One HTTP request to the server. Over HTTPS the server's own (self-signed) certificate is the
// only one trusted.
async function send(url, method, path, { body, headers = {} } = {}, ca = null) {
  if (!ca) {
    const r = await fetch(url + path, { method, headers, body });
    return answer(r.status, await r.text());
  }
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url + path, { method, headers, ca }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve(answer(res.statusCode, text)));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// extraConfig: more top-level YAML for the server's configuration (e.g. an events section).
// listen.tls: an HTTPS listener (the server's self-signed certificate) instead of plain HTTP;
// listen.server: more YAML lines for the server section, indented by two spaces (e.g.
// "  tls: { client_certificates: request }").
export async function startServer(binary, pluginDir, webuiDir, extraConfig = '', listen = {}) {
  const work = mkdtempSync(join(tmpdir(), 'tessera-webui-'));
  const serverExtra = listen.server ? listen.server.replace(/\n?$/, '\n') : '';
  writeFileSync(
    join(work, 'tessera.yaml'),
    `server:
  listen: [ { address: 127.0.0.1, port: 0, tls: ${listen.tls ? 'true' : 'false'} } ]
  webui_dir: ${webuiDir}
${serverExtra}data_dir: ${work}/data
database: { url: "sqlite://${work}/data/tessera.db" }
plugins: { directories: [ "${pluginDir}" ], http_allowed_networks: [ 127.0.0.0/8 ] }
log: { level: warning }
first_start: { realm: "", ca: "" }
${extraConfig}`,
  );
  const child = spawn(binary, ['--config', join(work, 'tessera.yaml')], {
    env: { ...process.env, TESSERA_ADMIN_PASSWORD: 'webui-admin-pw' },
  });
  const stop = () => {
    child.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  };
  process.on('exit', () => child.kill('SIGKILL')); // even when a test dies on an exception
  try {
    let certificate = null; // the server's TLS certificate (PEM file), on an HTTPS listener
    const url = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk;
        const m = out.match(/Tessera listening on (\S+)/);
        if (m) {
          certificate = out.match(/TLS certificate: (\S+)/)?.[1] ?? null;
          resolve(m[1]);
        }
      });
      let errors = '';
      child.stderr.on('data', (chunk) => (errors += chunk));
      child.on('exit', (code) => reject(new Error(`the server exited (${code}): ${errors}`)));
      child.on('error', (e) => reject(new Error(`the server did not start: ${e.message}`)));
      setTimeout(() => reject(new Error('the server did not start')), 20000).unref();
    });
    const ca = url.startsWith('https:') && certificate ? readFileSync(certificate) : null;
    // Any request (method, path with its query, JSON body, Authorization): { status, text, json }.
    const request = (method, path, body, token) =>
      send(
        url,
        method,
        path,
        {
          body: body === undefined ? undefined : JSON.stringify(body),
          headers: {
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
            ...(token ? { Authorization: token } : {}),
          },
        },
        ca,
      );
    const api = async (path, body, token) => {
      const { json, text } = await request('POST', path, body, token);
      if (json === undefined) fail(`${path}: ${text}`);
      if (!json.result?.status) fail(`${path}: ${JSON.stringify(json)}`);
      return json.result.value;
    };
    const admin = (await api('/auth', { username: 'admin', password: 'webui-admin-pw' })).token;
    await api('/resolver/local', { type: 'sql' }, admin);
    await api('/realm/corp', { resolvers: 'local' }, admin);
    await api('/user/', { user: 'alice', resolver: 'local', password: 'alice-password' }, admin);
    return { url, api, request, certificate, admin, work, stop };
  } catch (e) {
    stop();
    throw e;
  }
}

// What is wrong with the page as it is shown now: a list of sentences, empty when nothing is.
// (The page's context needs bypassCSP: axe-core is added to the page as a script.)
export async function layoutProblems(page, where) {
  const found = await page.evaluate(() => {
    const out = [];
    const wide = document.documentElement.scrollWidth;
    if (wide > window.innerWidth + 1) out.push(`scrolls sideways (${wide} px wide at ${window.innerWidth})`);
    if (!document.querySelector('h1')) out.push('has no heading of level one');
    // Tap targets: every control that is shown, but links inside a line of text (WCAG 2.5.8's
    // inline exception).
    for (const e of document.querySelectorAll('button, select, textarea, a[href], input:not([type=hidden])')) {
      const box = e.getBoundingClientRect();
      if (!e.getClientRects().length || box.width === 0) continue;
      const style = getComputedStyle(e);
      if (style.visibility === 'hidden') continue;
      if (e.tagName === 'A' && style.display === 'inline' && e.parentElement.textContent.trim() !== e.textContent.trim())
        continue;
      if (box.width < 23.5 || box.height < 23.5)
        out.push(`tap target ${e.tagName.toLowerCase()} '${(e.textContent || e.getAttribute('aria-label') || e.name || '').trim().slice(0, 40)}' is ${Math.round(box.width)}×${Math.round(box.height)}`);
    }
    return out;
  });
  await page.addScriptTag({ path: axe });
  const result = await page.evaluate(() =>
    window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    }),
  );
  for (const v of result.violations)
    if (v.impact === 'serious' || v.impact === 'critical')
      found.push(`axe ${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  return found.map((p) => `${where}: ${p}`);
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
// options.tls: serve over HTTPS with the server's self-signed certificate (body gets its path as
// certificate; api and request trust it, pages need ignoreHTTPSErrors). options.server: more
// YAML lines for the server section, e.g. "  tls: { client_certificates: request }".
export async function scenario(allowedStatus, body, options = {}) {
  // Absolute, as the server reads its configuration's paths relative to the file.
  const [binary, pluginDir, webuiDir, screenshots] = process.argv.slice(2).map((p) => resolve(p));
  mkdirSync(screenshots, { recursive: true });
  const server = await startServer(binary, pluginDir, webuiDir, options.config, {
    tls: options.tls,
    server: options.server,
  });
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
