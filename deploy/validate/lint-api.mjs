// Lints the committed API documents (docs/api/*.yaml) with Spectral: OpenAPI's recommended rules
// plus the team's own, which say what a client generated from them needs.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import spectralCore from '@stoplight/spectral-core';
import Parsers from '@stoplight/spectral-parsers';
import spectralFunctions from '@stoplight/spectral-functions';
import spectralRulesets from '@stoplight/spectral-rulesets';

const { Spectral, Document } = spectralCore;
const { pattern, truthy } = spectralFunctions;
const { oas } = spectralRulesets;

const OPERATIONS = '$.paths[*][get,put,post,delete,patch,head,options]';

/** Media types a generated client can bind to: no wildcards. */
function exactMediaTypes(content, _options, context) {
  if (content === null || typeof content !== 'object') return [];
  return Object.keys(content)
    .filter((type) => type.includes('*'))
    .map((type) => ({ message: `media type ${type} is a wildcard: name the exact type`, path: [...context.path, type] }));
}

/** Every 4xx answer is an RFC 9457 problem detail: only application/problem+json, with the Problem schema. */
function problemDetails(responses, _options, context) {
  if (responses === null || typeof responses !== 'object') return [];
  const found = [];
  for (const [status, response] of Object.entries(responses)) {
    if (!/^4\d\d$/.test(status)) continue;
    const content = response?.content ?? {};
    const media = content['application/problem+json'];
    if (!media) found.push({ message: `${status} is not documented as a problem detail (application/problem+json)`, path: [...context.path, status] });
    else if (media.schema?.$ref !== '#/components/schemas/Problem') found.push({ message: `${status}: a problem detail uses #/components/schemas/Problem`, path: [...context.path, status, 'content', 'application/problem+json'] });
    else if (!media.examples || Object.keys(media.examples).length === 0) found.push({ message: `${status}: list the problem types it can carry as examples`, path: [...context.path, status, 'content', 'application/problem+json'] });
    for (const type of Object.keys(content).filter((t) => t !== 'application/problem+json')) {
      found.push({ message: `${status} is only application/problem+json, not ${type}`, path: [...context.path, status, 'content', type] });
    }
  }
  return found;
}

/** A security requirement names schemes the document defines; an internal operation names the one scope its key needs. */
function securityRequirements(security, _options, context) {
  const schemes = context.document.data?.components?.securitySchemes ?? {};
  const internal = Object.values(schemes).some((s) => s.type === 'apiKey' && s.in === 'header');
  const found = [];
  (security ?? []).forEach((requirement, i) => {
    for (const [name, scopes] of Object.entries(requirement)) {
      if (!schemes[name]) found.push({ message: `security scheme ${name} is not defined`, path: [...context.path, i, name] });
      else if (internal && scopes.length !== 1) found.push({ message: `an internal operation names the one scope its key needs (${name}: [scope])`, path: [...context.path, i, name] });
    }
  });
  return found;
}

export const ruleset = {
  extends: [[oas, 'recommended']],
  rules: {
    // the team's rules, all errors
    'operation-operationId': 'error',
    'operation-operationId-unique': 'error',
    'operation-id-camel-case': {
      description: 'operation ids are camelCase (getMe, updatePreferences): generated clients use them as method names',
      severity: 'error',
      given: OPERATIONS,
      then: { field: 'operationId', function: pattern, functionOptions: { match: '^[a-z][a-zA-Z0-9]*$' } },
    },
    'operation-summary': {
      description: 'every operation says what it does in a summary',
      severity: 'error',
      given: OPERATIONS,
      then: { field: 'summary', function: truthy },
    },
    'no-wildcard-media-types': {
      description: 'requests and answers name their exact media type (no */*)',
      severity: 'error',
      given: ['$.paths[*][*].requestBody.content', '$.paths[*][*].responses[*].content'],
      message: '{{error}}',
      then: { function: exactMediaTypes },
    },
    'client-errors-are-problem-details': {
      description: 'every 4xx answer is documented as an RFC 9457 problem detail listing its types',
      severity: 'error',
      given: '$.paths[*][*].responses',
      // the schema is checked as written: a reference to the shared Problem
      resolved: false,
      message: '{{error}}',
      then: { function: problemDetails },
    },
    'security-requirements-defined': {
      description: 'security requirements name defined schemes; internal operations name their key scope',
      severity: 'error',
      given: '$.paths[*][*].security',
      message: '{{error}}',
      then: { function: securityRequirements },
    },
    // every operation's tag is one of the document's tags, each described there (what a generated
    // client's services and the reference's sections are named and introduced by)
    'operation-tag-defined': 'error',
    'tag-description': 'error',
    // not ours: contact details add nothing a client generator uses; the summary says what an
    // operation does; and Spectral's security rule predates OpenAPI 3.1's role names on API-key
    // schemes (the scopes of our service keys), so ours above replaces it
    'info-contact': 'off',
    'operation-description': 'off',
    'oas3-operation-security-defined': 'off',
  },
};

/** Spectral's findings for one document: [{ code, message, path, severity }] (severity 0 error, 1 warning). */
export async function lintApi(text, name) {
  const spectral = new Spectral();
  spectral.setRuleset(ruleset);
  const results = await spectral.run(new Document(text, Parsers.Yaml, name));
  return results.map((r) => ({ code: r.code, message: r.message, path: r.path.join('.'), severity: r.severity }));
}

export const apiDocuments = (root) => ['public', 'internal'].map((group) => path.join(root, 'docs', 'api', `${group}.yaml`));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  let errors = 0;
  let operations = 0;
  for (const file of apiDocuments(root)) {
    const text = fs.readFileSync(file, 'utf8');
    const findings = await lintApi(text, file);
    const count = (text.match(/^ {6}operationId: /gm) ?? []).length;
    operations += count;
    for (const f of findings) console.log(`  ${f.severity === 0 ? '!!' : ' ?'}  ${path.relative(root, file)} ${f.code} at ${f.path}: ${f.message}`);
    const fileErrors = findings.filter((f) => f.severity === 0).length;
    errors += fileErrors;
    console.log(`  ${fileErrors === 0 ? 'ok' : '!!'}  ${path.relative(root, file)}: ${count} operations, ${fileErrors} errors, ${findings.length - fileErrors} warnings`);
  }
  console.log(`API lint (Spectral, ${Object.values(ruleset.rules).filter((rule) => rule !== 'off').length} rules of ours on OpenAPI's recommended): ${operations} operations, ${errors} errors`);
  process.exit(errors === 0 ? 0 : 1);
}
