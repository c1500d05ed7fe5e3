// The API's description against the server: docs/openapi.yaml is a valid OpenAPI 3.0 document
// (checked by @seriousme/openapi-schema-validator), and it names exactly the routes the server
// registers (GET /system/routes), each with its method.
// Usage: node openapi.test.mjs SERVER_BINARY PLUGIN_DIR WEBUI_DIR OPENAPI_FILE
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { parse } from 'yaml';
import { startServer } from './harness.mjs';

const [binary, pluginDir, webuiDir, file] = process.argv.slice(2).map((p) => resolve(p));
const text = readFileSync(file, 'utf8');
const problems = [];

const validator = new Validator();
const checked = await validator.validate(parse(text));
if (!checked.valid) problems.push('not valid OpenAPI: ' + JSON.stringify(checked.errors).slice(0, 2000));

const server = await startServer(binary, pluginDir, webuiDir);
try {
  const listed = await server.request('GET', '/system/routes', undefined, server.admin);
  const registered = new Set(listed.json.result.value.map((r) => `${r.method} ${r.path.replace(/<([^>]+)>/g, '{$1}')}`));
  const described = new Set();
  for (const [path, item] of Object.entries(parse(text).paths))
    for (const method of Object.keys(item))
      if (['get', 'post', 'put', 'delete', 'patch'].includes(method)) described.add(`${method.toUpperCase()} ${path}`);
  for (const route of registered) if (!described.has(route)) problems.push(`not described: ${route}`);
  for (const route of described) if (!registered.has(route)) problems.push(`described, but no such route: ${route}`);
} finally {
  server.stop();
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('OpenAPI: valid, and it describes every route the server registers: OK');
