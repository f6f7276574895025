// Generates the client's types from the committed public API document and type-checks the client
// and its smoke test with tsc, printing what it checked. Run by ./mvnw verify (deploy/api-client).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = (name) => path.join(here, 'node_modules', '.bin', name);
const document = path.join(here, '..', '..', 'docs', 'api', 'public.yaml');

execFileSync(bin('openapi-typescript'), [document, '--output', path.join(here, 'generated', 'public.d.ts')], { stdio: 'inherit', cwd: here });
const operations = (fs.readFileSync(document, 'utf8').match(/^ {6}operationId: /gm) ?? []).length;
const files = execFileSync(bin('tsc'), ['-p', 'tsconfig.json', '--listFilesOnly'], { cwd: here, encoding: 'utf8' })
  .split('\n').filter((file) => file && !file.includes('node_modules'));
execFileSync(bin('tsc'), ['-p', 'tsconfig.json'], { stdio: 'inherit', cwd: here });
console.log(`API client: types of ${operations} operations generated from docs/api/public.yaml; tsc type-checked ${files.length} files (${files.map((f) => path.relative(here, f)).join(', ')}): 0 errors`);
