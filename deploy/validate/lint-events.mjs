// Validates the events contract: account-service's AsyncAPI document with the AsyncAPI parser, and
// every sample record (events/samples/*.json: topic, key, headers, value) against the message its
// topic carries: the value against the payload schema, the headers against the CloudEvents headers
// schema, ce_type against the message's name, the key against the connection id.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser } from '@asyncapi/parser';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

export const eventsDir = (root) => path.join(root, 'account-service/src/main/resources/events');

/** { errors: [..], checked: [..] } for the AsyncAPI text and the samples ({ name: parsed JSON }). */
export async function lintEvents(asyncapiText, samples) {
  const errors = [];
  const checked = [];
  const { document, diagnostics } = await new Parser().parse(asyncapiText);
  for (const d of diagnostics.filter((d) => d.severity === 0)) errors.push(`asyncapi.yaml: ${d.code} at ${d.path.join('.')}: ${d.message}`);
  if (!document) return { errors, checked };
  checked.push(`asyncapi.yaml: AsyncAPI ${document.version()} parsed, ${document.channels().length} channels, ${document.messages().length} messages`);
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const [name, sample] of Object.entries(samples)) {
    const channel = document.channels().all().find((c) => c.address() === sample.topic);
    if (!channel) { errors.push(`${name}: no channel for topic ${sample.topic}`); continue; }
    const message = channel.messages().all()[0];
    const payload = ajv.compile(message.payload().json());
    if (!payload(sample.value)) errors.push(`${name}: value: ${ajv.errorsText(payload.errors)}`);
    const headers = ajv.compile(message.headers().json());
    if (!headers(sample.headers)) errors.push(`${name}: headers: ${ajv.errorsText(headers.errors)}`);
    if (sample.headers?.ce_type !== message.name()) errors.push(`${name}: ce_type ${sample.headers?.ce_type} is not the message's name ${message.name()}`);
    if (sample.key !== sample.value?.connectionId) errors.push(`${name}: the key is not the connection id`);
    checked.push(`${name}: a valid ${message.name()} on ${sample.topic}`);
  }
  return { errors, checked };
}

export function readSamples(root) {
  const dir = path.join(eventsDir(root), 'samples');
  return Object.fromEntries(fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => [f, JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))]));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const { errors, checked } = await lintEvents(fs.readFileSync(path.join(eventsDir(root), 'asyncapi.yaml'), 'utf8'), readSamples(root));
  for (const c of checked) console.log(`  ok  ${c}`);
  for (const e of errors) console.log(`  !!  ${e}`);
  console.log(`events contract (AsyncAPI parser, JSON Schema): ${checked.length} checks passed, ${errors.length} problems`);
  process.exit(errors.length === 0 ? 0 : 1);
}
