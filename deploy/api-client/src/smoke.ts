// Uses the generated client against a running system through the gateway, as a front end would:
// sign in (a sandbox Clerk session token), read me, patch preferences, start a connection, and read
// a problem detail's type on an invalid patch. Exits non-zero on the first answer the contract does
// not describe. GATEWAY_URL, SESSION_TOKEN and USER_ID come from the caller (deploy/local's suite).
import { apiClient, type Problem } from './client.js';

const gatewayUrl = required('GATEWAY_URL');
const userId = required('USER_ID');
const api = apiClient(gatewayUrl, required('SESSION_TOKEN'));
let calls = 0;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`contract broken: ${what}`);
}

const me = await api.GET('/api/v1/me');
calls++;
check(me.response.status === 200 && me.data !== undefined, `GET /api/v1/me answered ${me.response.status}`);
check(me.data.id === userId, `me is ${me.data.id}, not ${userId}`);
check(me.response.headers.get('traceresponse') !== null, 'no traceresponse header');
check(me.response.headers.get('RateLimit') !== null, 'no RateLimit header');

const patched = await api.PATCH('/api/v1/me/preferences', {
  body: { theme: 'DARK', notifications: { channels: { email: false } } },
  headers: { 'Content-Type': 'application/merge-patch+json' },
});
calls++;
check(patched.response.status === 200 && patched.data !== undefined, `PATCH preferences answered ${patched.response.status}`);
check(patched.data.preferences?.theme === 'DARK', `theme is ${patched.data.preferences?.theme}`);

const started = await api.POST('/api/v1/integrations/providers/{provider}/authorizations', {
  params: { path: { provider: 'amazon' } },
  body: { region: 'NA' },
});
calls++;
check(started.response.status === 201 && started.data !== undefined, `starting a connection answered ${started.response.status}`);
check(typeof started.data.authorizationUrl === 'string' && typeof started.data.state === 'string', 'no authorization URL or state');

const invalid = await api.PATCH('/api/v1/me/preferences', {
  body: { theme: 'PURPLE' as 'DARK' },
  headers: { 'Content-Type': 'application/merge-patch+json' },
});
calls++;
const problem: Problem | undefined = invalid.error;
check(invalid.response.status === 400 && problem !== undefined, `an invalid patch answered ${invalid.response.status}`);
check(invalid.response.headers.get('Content-Type')?.startsWith('application/problem+json') === true, 'not a problem detail');
check(problem.type === 'https://docs.ads-connect.dev/problems/validation-failed', `problem type ${problem.type}`);
check((problem.errors ?? []).some((error) => error.field === 'theme'), 'the problem does not name the field');

const contract = await fetch(`${gatewayUrl}/openapi/public.yaml`);
calls++;
check(contract.status === 200 && (await contract.text()).includes('operationId: getMe'), 'the gateway does not serve the contract');

console.log(`API client smoke (openapi-fetch on the generated types, through the gateway): ${calls} calls answered as the contract says`);
