// The client a front end generates from the public API document: openapi-typescript's types of
// docs/api/public.yaml (generated/public.d.ts) and openapi-fetch, which checks every path,
// parameter, body and answer against them at compile time.
import createClient from 'openapi-fetch';
import type { components, paths } from '../generated/public.js';

export type Problem = components['schemas']['Problem'];

/** A client of the gateway for one signed-in user: the Clerk session token as a bearer token. */
export function apiClient(gatewayUrl: string, sessionToken: string) {
  return createClient<paths>({ baseUrl: gatewayUrl, headers: { Authorization: `Bearer ${sessionToken}` } });
}
