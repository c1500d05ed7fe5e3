// What the browser tests share: a real server on a fresh SQLite database with realm corp and
// user alice (password alice-password), and Debian's Chromium under Playwright.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export function fail(message) {
  throw new Error(message);
}

export async function startServer(binary, pluginDir, webuiDir) {
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
`,
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
      child.on('exit', (code) => reject(new Error(`the server exited (${code})`)));
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

export function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--disable-quic',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--no-first-run'],
  });
}
