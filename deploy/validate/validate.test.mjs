// The validator must fail on the mistakes it exists to catch: each case breaks a copy of the
// deploy files in one way and expects exactly that problem to be reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateDeploy } from './validate.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function brokenCopy(file, from, to) {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-validate-'));
  for (const entry of ['README.md', 'pom.xml', 'deploy/k8s', 'deploy/compose', 'deploy/docker', 'account-service/pom.xml', 'auth-gateway/pom.xml', 'token-refresher/pom.xml',
    'account-service/src/main/java', 'auth-gateway/src/main/java', 'token-refresher/src/main/java']) {
    fs.cpSync(path.join(root, entry), path.join(copy, entry), { recursive: true });
  }
  const target = path.join(copy, file);
  const text = fs.readFileSync(target, 'utf8');
  assert.ok(text.includes(from), `${file} no longer contains ${from}: update this case`);
  fs.writeFileSync(target, text.replace(from, to));
  return copy;
}

test('the shipped files pass', () => {
  assert.deepEqual(validateDeploy(root).problems, []);
});

const cases = [
  ['an env var typo', 'deploy/k8s/account-service.yaml', 'name: KAFKA_BOOTSTRAP_SERVERS', 'name: KAFKA_BOOTSTRAP_SERVER', /KAFKA_BOOTSTRAP_SERVER is not a documented setting/],
  ['a probe off the actuator group', 'deploy/k8s/auth-gateway.yaml', 'path: /actuator/health/readiness', 'path: /actuator/health', /readinessProbe must GET \/actuator\/health\/readiness/],
  ['a real secret in git', 'deploy/k8s/secrets.yaml', 'AMAZON_CLIENT_SECRET: REPLACE_ME', 'AMAZON_CLIENT_SECRET: s3cr3t', /AMAZON_CLIENT_SECRET holds a value/],
  ['a secret as a literal', 'deploy/k8s/token-refresher.yaml', "- name: ACCOUNT_SERVICE_API_KEY\n              valueFrom:\n                secretKeyRef: {name: token-refresher, key: ACCOUNT_SERVICE_API_KEY}", '- name: ACCOUNT_SERVICE_API_KEY\n              value: abc', /ACCOUNT_SERVICE_API_KEY looks secret but is a literal/],
  ['a missing Secret key', 'deploy/k8s/account-service.yaml', 'key: CLERK_WEBHOOK_SECRET', 'key: CLERK_WEBHOOK', /Secret account-service has no key CLERK_WEBHOOK/],
  ['more refreshers than partitions', 'deploy/k8s/token-refresher.yaml', 'maxReplicas: 32', 'maxReplicas: 40', /maxReplicas 40 > 32 partitions/],
  ['a schema violation', 'deploy/k8s/account-service.yaml', 'containerPort: 8080', 'containerPort: "http"', /schema: .*containerPort must be integer/],
  ['a Service selecting nothing', 'deploy/k8s/auth-gateway.yaml', 'spec:\n  selector:\n    app.kubernetes.io/name: auth-gateway', 'spec:\n  selector:\n    app.kubernetes.io/name: auth-gatewy', /Service\/auth-gateway: selects no Deployment/],
  ['an unknown Compose key', 'deploy/compose/compose.yaml', 'stop_grace_period: 40s', 'stop_grace_periods: 40s', /compose.yaml: schema: .*additional properties/],
  ['a Compose dependency on nothing', 'deploy/compose/compose.yaml', 'condition: service_healthy\n\n  auth-gateway', 'condition: service_healthy\n      zookeeper:\n        condition: service_started\n\n  auth-gateway', /depends on unknown service zookeeper/],
  ['an alert on a metric nobody publishes', 'deploy/k8s/alerts.yaml', 'max(outbox_events_pending)', 'max(outbox_events_waiting)', /alert OutboxBacklog: uses metrics no service publishes: outbox_events_waiting/],
  ['an alert on a histogram that is not published', 'deploy/k8s/alerts.yaml', 'min(refresher_time_to_expiry_seconds{quantile="0.5"})', 'histogram_quantile(0.5, sum(rate(refresher_time_to_expiry_seconds_bucket[5m])) by (le))', /TokensRefreshedLate: uses metrics no service publishes: refresher_time_to_expiry_seconds_bucket/],
  ['a root container', 'deploy/docker/Dockerfile', 'USER 10001:10001', 'USER root', /must switch to the non-root user/],
];
for (const [name, file, from, to, expected] of cases) {
  test(`refuses ${name}`, () => {
    const { problems } = validateDeploy(brokenCopy(file, from, to));
    assert.ok(problems.some((p) => expected.test(p)), `expected ${expected} among:\n${problems.join('\n')}`);
  });
}
