// The API and events lints must fail on the mistakes they exist to catch: each case breaks a copy of
// a committed API document, the AsyncAPI document or a sample record in one way and expects exactly
// that problem to be reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lintApi } from './lint-api.mjs';
import { eventsDir, lintEvents, readSamples } from './lint-events.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const documents = {
  public: fs.readFileSync(path.join(root, 'docs/api/public.yaml'), 'utf8'),
  internal: fs.readFileSync(path.join(root, 'docs/api/internal.yaml'), 'utf8'),
};

const errors = (findings) => findings.filter((f) => f.severity === 0);

test('the committed documents pass', async () => {
  for (const [name, text] of Object.entries(documents)) {
    assert.deepEqual(await lintApi(text, name), [], `${name}.yaml`);
  }
});

/** A 404 answer of the first operation that has one, written as plain JSON. */
function firstNotFoundAsJson(text) {
  const at = text.indexOf('        "404":\n          content:\n            application/problem+json:');
  assert.ok(at > 0, 'public.yaml has a 404 problem answer: update this case');
  return text.slice(0, at) + text.slice(at).replace('application/problem+json:', 'application/json:');
}

/** The first problem answer's examples removed (its schema kept). */
function firstProblemWithoutExamples(text) {
  return text.replace(/( {12}application\/problem\+json:\n) {14}examples:\n(?: {16}.*\n)+/, '$1');
}

const cases = [
  ['an operation id that is not camelCase', 'public', (t) => t.replace('operationId: getMe\n', 'operationId: get_me\n'), 'operation-id-camel-case', /paths\.\/api\/v1\/me\.get\.operationId/],
  ['an operation without an id', 'public', (t) => t.replace('      operationId: getMe\n', ''), 'operation-operationId', /paths\.\/api\/v1\/me\.get/],
  ['two operations with one id', 'public', (t) => t.replace('operationId: getMe\n', 'operationId: updateMe\n'), 'operation-operationId-unique', /operationId/],
  ['an operation without a summary', 'public', (t) => t.replace("      summary: The signed-in user's profile (provisions the user on first sight)\n", ''), 'operation-summary', /paths\.\/api\/v1\/me\.get/],
  ['an answer of any media type', 'public', (t) => t.replace('          content:\n            application/json:', '          content:\n            "*/*":'), 'no-wildcard-media-types', /\*\/\*/],
  ['a 4xx answer that is not a problem detail', 'public', firstNotFoundAsJson, 'client-errors-are-problem-details', /404/],
  ['a problem answer that does not list its types', 'public', firstProblemWithoutExamples, 'client-errors-are-problem-details', /responses\.\d{3}\.content/],
  ['a security requirement on an undefined scheme', 'public', (t) => t.replace('      - sessionToken: []', '      - clerkToken: []'), 'security-requirements-defined', /clerkToken/],
  ['an operation tagged with a tag the document does not describe', 'public', (t) => t.replace('      tags:\n      - Profile\n', '      tags:\n      - Account\n'), 'operation-tag-defined', /tags/],
  ['a tag without a description', 'internal', (t) => t.replace(/^- description: [^\n]*(?:\n {4}[^\n]*)*\n  name: Admin\n/m, '- name: Admin\n'), 'tag-description', /tags/],
  ['an internal operation that names no scope', 'internal', (t) => t.replace('      - serviceKey:\n        - admin:read\n', '      - serviceKey: []\n'), 'security-requirements-defined', /serviceKey/],
];

for (const [name, document, mutate, rule, where] of cases) {
  test(`reports ${name}`, async () => {
    const broken = mutate(documents[document]);
    assert.notEqual(broken, documents[document], `the mutation of ${name} no longer applies: update this case`);
    const found = errors(await lintApi(broken, document));
    const matching = found.filter((f) => f.code === rule);
    assert.ok(matching.length > 0, `expected ${rule}, got ${JSON.stringify(found.map((f) => f.code))}`);
    assert.ok(matching.some((f) => where.test(f.path) || where.test(f.message)), `${rule} reported at ${matching.map((f) => f.path).join(', ')}`);
  });
}

// the events contract: the AsyncAPI document and the sample records

const asyncapi = fs.readFileSync(path.join(eventsDir(root), 'asyncapi.yaml'), 'utf8');
const samples = readSamples(root);
const withSample = (name, change) => ({ ...samples, [name]: change(structuredClone(samples[name])) });

test('the events contract and its samples pass', async () => {
  const { errors, checked } = await lintEvents(asyncapi, samples);
  assert.deepEqual(errors, []);
  assert.equal(checked.length, 1 + Object.keys(samples).length);
});

const eventCases = [
  ['a broken reference in the AsyncAPI document', asyncapi.replace("$ref: '#/components/messages/tokenExpiring'", "$ref: '#/components/messages/tokenExpired'"), samples, /asyncapi.yaml: /],
  ['a sample with a field the schema does not allow', asyncapi, withSample('token-expiring.json', (s) => { s.value.accessToken = 'secret'; return s; }), /token-expiring.json: value: .*must NOT have additional properties/],
  ['a sample without a required field', asyncapi, withSample('connection-status-changed.json', (s) => { delete s.value.occurredAt; return s; }), /connection-status-changed.json: value: .*occurredAt/],
  ['a sample whose traceparent is malformed', asyncapi, withSample('token-expiring.json', (s) => { s.headers.traceparent = '00-xyz'; return s; }), /token-expiring.json: headers: .*traceparent/],
  ['a sample of another event type than its topic carries', asyncapi, withSample('token-expiring.json', (s) => { s.headers.ce_type = 'dev.ads-connect.amazon.connection.status-changed.v1'; return s; }), /ce_type .* is not the message's name/],
];

for (const [name, text, records, expected] of eventCases) {
  test(`events: reports ${name}`, async () => {
    assert.notEqual(JSON.stringify([text, records]), JSON.stringify([asyncapi, samples]), `the mutation of ${name} no longer applies`);
    const { errors } = await lintEvents(text, records);
    assert.ok(errors.some((e) => expected.test(e)), `expected ${expected}, got ${JSON.stringify(errors)}`);
  });
}
