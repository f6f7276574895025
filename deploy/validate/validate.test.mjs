// The validator must fail on the mistakes it exists to catch: each case breaks a copy of the
// deploy files in one way and expects exactly that problem to be reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { durationMs, validateDeploy } from './validate.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function brokenCopy(file, from, to) {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-validate-'));
  for (const entry of ['README.md', 'docs/operations.md', 'pom.xml', 'deploy/k8s', 'deploy/compose', 'deploy/docker', 'deploy/grafana', 'account-service/pom.xml', 'auth-gateway/pom.xml', 'token-refresher/pom.xml',
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

test('durations read as Spring Boot reads them', () => {
  assert.equal(durationMs('30s'), 30_000);
  assert.equal(durationMs('500ms'), 500);
  assert.equal(durationMs('2m'), 120_000);
  assert.equal(durationMs('1500'), 1_500);
  assert.equal(durationMs('PT1M30S'), 90_000);
  assert.ok(Number.isNaN(durationMs('soon')));
});

const cases = [
  ['an env var typo', 'deploy/k8s/account-service.yaml', 'name: KAFKA_BOOTSTRAP_SERVERS', 'name: KAFKA_BOOTSTRAP_SERVER', /KAFKA_BOOTSTRAP_SERVER is not a documented setting/],
  ['a probe off the actuator group', 'deploy/k8s/auth-gateway.yaml', 'path: /actuator/health/readiness', 'path: /actuator/health', /readinessProbe must GET \/actuator\/health\/readiness/],
  ['a real secret in git', 'deploy/k8s/secrets.yaml', 'AMAZON_CLIENT_SECRET: REPLACE_ME', 'AMAZON_CLIENT_SECRET: s3cr3t', /AMAZON_CLIENT_SECRET holds a value/],
  ['a secret as a literal', 'deploy/k8s/token-refresher.yaml', "- name: ACCOUNT_SERVICE_API_KEY\n              valueFrom:\n                secretKeyRef: {name: token-refresher, key: ACCOUNT_SERVICE_API_KEY}", '- name: ACCOUNT_SERVICE_API_KEY\n              value: abc', /ACCOUNT_SERVICE_API_KEY looks secret but is a literal/],
  ['a missing Secret key', 'deploy/k8s/account-service.yaml', 'key: CLERK_WEBHOOK_SECRET', 'key: CLERK_WEBHOOK', /Secret account-service has no key CLERK_WEBHOOK/],
  ['an optional Secret key made required while the Secret lacks it', 'deploy/k8s/account-service.yaml', 'key: GOOGLE_CLIENT_ID, optional: true', 'key: GOOGLE_CLIENT_ID', /Secret account-service has no key GOOGLE_CLIENT_ID/],
  ['more refreshers than partitions', 'deploy/k8s/token-refresher.yaml', 'maxReplicas: 32', 'maxReplicas: 40', /maxReplicas 40 > 32 partitions/],
  ['a schema violation', 'deploy/k8s/account-service.yaml', 'containerPort: 8080', 'containerPort: "http"', /schema: .*containerPort must be integer/],
  ['a Service selecting nothing', 'deploy/k8s/auth-gateway.yaml', 'spec:\n  selector:\n    app.kubernetes.io/name: auth-gateway', 'spec:\n  selector:\n    app.kubernetes.io/name: auth-gatewy', /Service\/auth-gateway: selects no Deployment/],
  ['an unknown Compose key', 'deploy/compose/compose.yaml', 'stop_grace_period: 40s', 'stop_grace_periods: 40s', /compose.yaml: schema: .*additional properties/],
  ['a Compose dependency on nothing', 'deploy/compose/compose.yaml', 'condition: service_healthy\n\n  auth-gateway', 'condition: service_healthy\n      zookeeper:\n        condition: service_started\n\n  auth-gateway', /depends on unknown service zookeeper/],
  ['an alert on a metric nobody publishes', 'deploy/k8s/alerts.yaml', 'max(outbox_events_pending)', 'max(outbox_events_waiting)', /alert OutboxBacklog: uses metrics no service publishes: outbox_events_waiting/],
  ['an alert on a histogram that is not published', 'deploy/k8s/alerts.yaml', 'min(refresher_time_to_expiry_seconds{quantile="0.5"})', 'histogram_quantile(0.5, sum(rate(refresher_time_to_expiry_seconds_bucket[5m])) by (le))', /TokensRefreshedLate: uses metrics no service publishes: refresher_time_to_expiry_seconds_bucket/],
  ['a dashboard panel on a metric nobody publishes', 'deploy/grafana/account-service.json', 'max(outbox_events_pending)', 'max(outbox_events_waiting)',
    /dashboard account-service.json panel "Outbox: waiting and published": uses metrics no service publishes: outbox_events_waiting/],
  ['a dashboard panel on a metric of the wrong kind', 'deploy/grafana/token-refresher.json', 'sum(refresher_success_reports_pending)', 'sum(refresher_success_reports_pending_total)',
    /uses metrics no service publishes: refresher_success_reports_pending_total/],
  ['an alert without its runbook', 'deploy/k8s/alerts.yaml', '            runbook_url: docs/operations.md#outboxbacklog\n', '',
    /alert OutboxBacklog: has no runbook_url/],
  ['an alert whose runbook section is gone', 'docs/operations.md', '### OutboxBacklog', '### Outbox backlog',
    /alert OutboxBacklog: runbook_url docs\/operations.md#outboxbacklog: docs\/operations.md has no section #outboxbacklog/],
  ['a root container', 'deploy/docker/Dockerfile', 'USER 10001:10001', 'USER root', /must switch to the non-root user/],

  // service links: the mesh (mutual TLS between the services, identities, authorization)
  ['a namespace without Linkerd injection', 'deploy/k8s/namespace.yaml', 'linkerd.io/inject: enabled', 'linkerd.io/inject: disabled',
    /Namespace\/ads-connect: linkerd.io\/inject must be enabled \(it is disabled\)/],
  ['a default inbound policy that admits unauthenticated clients', 'deploy/k8s/namespace.yaml', 'default-inbound-policy: all-authenticated', 'default-inbound-policy: all-unauthenticated',
    /default-inbound-policy all-unauthenticated admits unauthenticated clients/],
  ['a pod that opts out of the mesh', 'deploy/k8s/token-refresher.yaml', '        prometheus.io/scrape: "true"', '        linkerd.io/inject: disabled\n        prometheus.io/scrape: "true"',
    /Deployment\/token-refresher: opts out of the Linkerd mesh/],
  ['a pod that bypasses its proxy', 'deploy/k8s/auth-gateway.yaml', '        prometheus.io/scrape: "true"', '        config.linkerd.io/skip-outbound-ports: "8080"\n        prometheus.io/scrape: "true"',
    /Deployment\/auth-gateway: bypasses the Linkerd proxy \(config.linkerd.io\/skip-outbound-ports\)/],
  ['a shared ServiceAccount', 'deploy/k8s/token-refresher.yaml', 'serviceAccountName: token-refresher', 'serviceAccountName: auth-gateway',
    /Deployment\/token-refresher: shares ServiceAccount auth-gateway with Deployment\/auth-gateway/],
  ['a port without a Linkerd Server', 'deploy/k8s/mesh-policy.yaml', '      app.kubernetes.io/name: account-service\n  port: http', '      app.kubernetes.io/name: account-servic\n  port: http',
    /port http of Deployment\/account-service has no Linkerd Server/],
  ['a Server no AuthorizationPolicy opens', 'deploy/k8s/mesh-policy.yaml', '    kind: Server\n    name: account-service-http', '    kind: Server\n    name: account-service-api',
    /Server\/account-service-http: has no AuthorizationPolicy/],
  ['account-service admitting an identity that does not call it', 'deploy/k8s/mesh-policy.yaml', '    - kind: ServiceAccount\n      name: token-refresher\n', '    - kind: ServiceAccount\n      name: token-refresher\n    - kind: ServiceAccount\n      name: redis\n',
    /Server\/account-service-http: admits ServiceAccount\/redis, which does not call account-service/],
  ['account-service not admitting a caller', 'deploy/k8s/mesh-policy.yaml', '    - kind: ServiceAccount\n      name: auth-gateway\n    - kind: ServiceAccount\n      name: token-refresher\n', '    - kind: ServiceAccount\n      name: auth-gateway\n',
    /Server\/account-service-http: does not admit ServiceAccount\/token-refresher of Deployment\/token-refresher/],
  ['a Server open to every meshed identity', 'deploy/k8s/mesh-policy.yaml', '"*.monitoring.serviceaccount.identity.linkerd.cluster.local"', '"*"',
    /Server\/auth-gateway-management: admits every meshed identity/],

  ['a Deployment without a ServiceAccount', 'deploy/k8s/auth-gateway.yaml', '      serviceAccountName: auth-gateway\n', '',
    /Deployment\/auth-gateway: needs its own ServiceAccount/],
  ['an unknown ServiceAccount', 'deploy/k8s/redis.yaml', 'serviceAccountName: redis', 'serviceAccountName: cache', /Deployment\/redis: ServiceAccount cache does not exist/],
  ['a pod overriding the inbound policy', 'deploy/k8s/account-service.yaml', '        prometheus.io/scrape: "true"', '        config.linkerd.io/default-inbound-policy: cluster-unauthenticated\n        prometheus.io/scrape: "true"',
    /Deployment\/account-service: config.linkerd.io\/default-inbound-policy cluster-unauthenticated admits unauthenticated clients/],
  ['a Server on no declared port', 'deploy/k8s/mesh-policy.yaml', '  port: redis\n', '  port: redis-port\n', /Server\/redis: selects no declared port/],
  ['overlapping Servers', 'deploy/k8s/mesh-policy.yaml', "# Redis: the gateway only (opaque TCP: Redis's protocol, not HTTP)\n", 'apiVersion: policy.linkerd.io/v1beta3\nkind: Server\nmetadata:\n  name: account-service-api\nspec:\n  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: account-service\n  port: 8080\n---\n',
    /port http is covered by 2 Servers/],
  ['an AuthorizationPolicy for an unknown Server', 'deploy/k8s/mesh-policy.yaml', '    kind: Server\n    name: account-service-http', '    kind: Server\n    name: account-service-api',
    /AuthorizationPolicy\/account-service-http: targets unknown Server account-service-api/],
  ['an unknown authentication', 'deploy/k8s/mesh-policy.yaml', '      kind: MeshTLSAuthentication\n      name: redis-clients', '      kind: MeshTLSAuthentication\n      name: redis-client',
    /AuthorizationPolicy\/redis: refers to unknown MeshTLSAuthentication redis-client/],
  ['an authentication naming an unknown ServiceAccount', 'deploy/k8s/mesh-policy.yaml', '      name: token-refresher\n', '      name: refresher\n',
    /refers to unknown ServiceAccount refresher \(MeshTLSAuthentication account-service-clients\)/],
  ['a Server open to every ServiceAccount of the namespace', 'deploy/k8s/mesh-policy.yaml', '"*.monitoring.serviceaccount.identity.linkerd.cluster.local"', '"*.ads-connect.serviceaccount.identity.linkerd.cluster.local"',
    /Server\/auth-gateway-management: admits every ServiceAccount of ads-connect/],
  ['a Server open by network address', 'deploy/k8s/mesh-policy.yaml', "# Redis: the gateway only (opaque TCP: Redis's protocol, not HTTP)\n", 'apiVersion: policy.linkerd.io/v1alpha1\nkind: NetworkAuthentication\nmetadata:\n  name: pod-network\nspec:\n  networks:\n    - cidr: 10.0.0.0/8\n---\napiVersion: policy.linkerd.io/v1alpha1\nkind: AuthorizationPolicy\nmetadata:\n  name: token-refresher-network\nspec:\n  targetRef:\n    group: policy.linkerd.io\n    kind: Server\n    name: token-refresher-management\n  requiredAuthenticationRefs:\n    - group: policy.linkerd.io\n      kind: NetworkAuthentication\n      name: pod-network\n---\n',
    /Server\/token-refresher-management: admits clients by network address/],
  ['a link to no Service', 'deploy/k8s/auth-gateway.yaml', 'value: http://account-service:8080', 'value: http://account-svc:8080',
    /Deployment\/auth-gateway: env GATEWAY_ACCOUNT_SERVICE_URL points at account-svc:8080, which no Service here provides/],
  ['a Linkerd object against its schema', 'deploy/k8s/mesh-policy.yaml', '  proxyProtocol: opaque', '  proxyProtocol: redis', /mesh-policy.yaml Server\/redis: schema: \/spec\/proxyProtocol must be equal to one of the allowed values/],

  // service links: Kafka over TLS with SCRAM logins and ACLs
  ['a PLAINTEXT Kafka listener', 'deploy/k8s/kafka/kafka-cluster.yaml', 'tls: true', 'tls: false', /Kafka\/ads-connect: listener tls \(9093\) is not TLS: PLAINTEXT on the wire/],
  ['a Kafka listener without authentication', 'deploy/k8s/kafka/kafka-cluster.yaml', '        authentication:\n          type: scram-sha-512\n', '',
    /Kafka\/ads-connect: listener tls has no authentication/],
  ['a Kafka cluster without ACLs', 'deploy/k8s/kafka/kafka-cluster.yaml', '    authorization:\n      type: simple\n', '', /Kafka\/ads-connect: has no ACL authorization/],
  ['a Kafka client on PLAINTEXT', 'deploy/k8s/account-service.yaml', 'value: SASL_SSL', 'value: PLAINTEXT',
    /Deployment\/account-service container account-service: KAFKA_SECURITY_PROTOCOL must be SASL_SSL/],
  ["a Kafka password from another user's Secret", 'deploy/k8s/token-refresher.yaml', 'name: kafka-user-token-refresher', 'name: kafka-user-account-service',
    /KAFKA_SASL_PASSWORD must come from Secret kafka-user-token-refresher key password/],
  ['a Kafka password as a literal', 'deploy/k8s/account-service.yaml', "- name: KAFKA_SASL_PASSWORD\n              valueFrom:\n                secretKeyRef: {name: kafka-user-account-service, key: password}", '- name: KAFKA_SASL_PASSWORD\n              value: s3cr3t',
    /KAFKA_SASL_PASSWORD must come from Secret kafka-user-account-service key password .*not a literal/],
  ['a Kafka truststore that is not the cluster CA', 'deploy/k8s/account-service.yaml', 'value: /run/secrets/kafka-cluster-ca/ca.crt', 'value: /run/secrets/token-vault/ca.crt',
    /KAFKA_SSL_TRUSTSTORE_LOCATION \/run\/secrets\/token-vault\/ca.crt must name ca.crt of Secret ads-connect-cluster-ca-cert/],
  ['a refresher allowed to publish token-expiring events', 'deploy/k8s/kafka-users.yaml', 'operations: [Read, Describe]', 'operations: [Read, Write, Describe]',
    /KafkaUser\/token-refresher: Write on topic amazon.token-expiring is not token-refresher's to have/],
  ['a refresher allowed to publish connection-status events', 'deploy/k8s/kafka-users.yaml', '      # consumes it, never publishes on it', '      - resource: {type: topic, name: amazon.connection-status}\n        operations: [Write]\n      # consumes it, never publishes on it',
    /KafkaUser\/token-refresher: Write on topic amazon.connection-status is not token-refresher's to have/],
  ['account-service reading as a consumer group member', 'deploy/k8s/kafka-users.yaml', "      - resource: {type: cluster}\n        operations: [IdempotentWrite]\n---", "      - resource: {type: group, name: token-refresher}\n        operations: [Read]\n      - resource: {type: topic, name: amazon.token-expiring}\n        operations: [Read]\n      - resource: {type: cluster}\n        operations: [IdempotentWrite]\n---",
    /KafkaUser\/account-service: Read on group token-refresher is not account-service's to have/],
  ['a wildcard Kafka ACL', 'deploy/k8s/kafka-users.yaml', 'name: amazon.token-expiring.dlt, patternType: literal', 'name: amazon., patternType: prefix',
    /KafkaUser\/token-refresher: prefix ACL on topic amazon.\* reaches beyond its own/],

  ['a Kafka listener no client may reach', 'deploy/k8s/kafka/kafka-cluster.yaml', 'values: [account-service, token-refresher]', 'values: [account-service]',
    /Kafka\/ads-connect: listener tls's networkPolicyPeers do not admit Deployment\/token-refresher/],
  ['a KafkaUser with super powers', 'deploy/k8s/kafka/kafka-cluster.yaml', '      type: simple\n', '      type: simple\n      superUsers: [User:token-refresher]\n',
    /Kafka\/ads-connect: superUsers holds User:token-refresher, which bypasses its ACLs/],
  ['KafkaTopics the Topic Operator does not watch', 'deploy/k8s/kafka/kafka-cluster.yaml', 'topicOperator:\n      watchedNamespace: ads-connect', 'topicOperator:\n      watchedNamespace: kafka',
    /KafkaTopic\/amazon.token-expiring: lives in ads-connect, but the Topic Operator of ads-connect watches kafka/],
  ['KafkaUsers the User Operator does not watch', 'deploy/k8s/kafka/kafka-cluster.yaml', 'userOperator:\n      watchedNamespace: ads-connect', 'userOperator:\n      watchedNamespace: kafka',
    /KafkaUser\/account-service: names cluster ads-connect, whose User Operator does not watch ads-connect/],
  ["Strimzi's Secrets clashing with the services' own", 'deploy/k8s/kafka/kafka-cluster.yaml', 'secretPrefix: kafka-user-', 'secretPrefix: ""',
    /KafkaUser\/account-service: Strimzi writes its password into Secret account-service, which secrets.yaml defines too/],
  ['a Kafka client on no listener', 'deploy/k8s/token-refresher.yaml', 'value: ads-connect-kafka-bootstrap.kafka.svc:9093', 'value: ads-connect-kafka-bootstrap.kafka.svc:9092',
    /KAFKA_BOOTSTRAP_SERVERS ads-connect-kafka-bootstrap.kafka.svc:9092 is no listener of a Kafka cluster here/],
  ['a Kafka client on another mechanism', 'deploy/k8s/token-refresher.yaml', 'value: SCRAM-SHA-512', 'value: PLAIN', /KAFKA_SASL_MECHANISM must be SCRAM-SHA-512, not PLAIN/],
  ['a Kafka truststore of another type', 'deploy/k8s/token-refresher.yaml', 'value: PEM', 'value: JKS', /KAFKA_SSL_TRUSTSTORE_TYPE must be PEM/],
  ['a Kafka client as an unknown user', 'deploy/k8s/token-refresher.yaml', 'value: token-refresher', 'value: reporting', /KAFKA_SASL_USERNAME reporting is no KafkaUser of cluster ads-connect/],
  ['a KafkaUser nobody uses', 'deploy/k8s/token-refresher.yaml', 'value: token-refresher', 'value: reporting', /KafkaUser\/token-refresher: is used by no Deployment/],
  ['two Kafka clients as one user', 'deploy/k8s/token-refresher.yaml', 'value: token-refresher', 'value: account-service',
    /Deployment\/token-refresher container token-refresher: logs in as KafkaUser account-service, which Deployment\/account-service uses too/],
  ['a KafkaUser without SCRAM', 'deploy/k8s/kafka-users.yaml', '    type: scram-sha-512', '    type: tls', /KafkaUser\/account-service: authentication must be scram-sha-512/],
  ['a KafkaUser without ACLs', 'deploy/k8s/kafka-users.yaml', '  authorization:\n    type: simple\n    acls:\n      - resource: {type: topic, name: amazon.token-expiring, patternType: literal}\n        operations: [Write, Describe, Create]\n      - resource: {type: topic, name: amazon.connection-status, patternType: literal}\n        operations: [Write, Describe, Create]\n      - resource: {type: cluster}\n        operations: [IdempotentWrite]\n', '',
    /KafkaUser\/account-service: has no ACLs/],
  ['a refresher without its consumer group', 'deploy/k8s/kafka-users.yaml', '      - resource: {type: group, name: token-refresher, patternType: literal}\n        operations: [Read]\n', '',
    /KafkaUser\/token-refresher: lacks Read on group token-refresher, which token-refresher needs/],

  // service links: Redis AUTH
  ['Redis without AUTH', 'deploy/k8s/redis.yaml', 'args: ["--requirepass", "$(REDIS_PASSWORD)", ', 'args: [',
    /Deployment\/redis: Redis runs without AUTH/],
  ["the gateway's Redis password as a literal", 'deploy/k8s/auth-gateway.yaml', "- name: RATE_LIMIT_REDIS_PASSWORD\n              valueFrom:\n                secretKeyRef: {name: redis, key: password}", '- name: RATE_LIMIT_REDIS_PASSWORD\n              value: s3cr3t',
    /RATE_LIMIT_REDIS_PASSWORD must come from Secret redis key password, the one Redis's requirepass takes/],
  ["the gateway's Redis password in its URL", 'deploy/k8s/auth-gateway.yaml', 'value: redis://redis.ads-connect.svc:6379', 'value: redis://:s3cr3t@redis.ads-connect.svc:6379',
    /RATE_LIMIT_REDIS_URL carries credentials/],
  ['a Compose Redis without AUTH', 'deploy/compose/compose.yaml', '--requirepass \\"$$(cat /run/secrets/redis_password)\\" ', '',
    /compose.yaml service redis: Redis runs without AUTH/],
  ['a Compose gateway without the Redis password', 'deploy/compose/env/auth-gateway.env.example', 'RATE_LIMIT_REDIS_PASSWORD=change-me', '',
    /env\/auth-gateway.env.example: needs RATE_LIMIT_REDIS_PASSWORD/],

  ['the gateway on something that is not Redis', 'deploy/k8s/auth-gateway.yaml', 'value: redis://redis.ads-connect.svc:6379', 'value: redis://account-service:8080',
    /RATE_LIMIT_REDIS_URL redis:\/\/account-service:8080 leads to no Redis with AUTH here/],
  ["a Compose gateway's Redis URL with its password", 'deploy/compose/compose.yaml', 'RATE_LIMIT_REDIS_URL: redis://redis:6379', 'RATE_LIMIT_REDIS_URL: redis://:s3cr3t@redis:6379',
    /compose.yaml service auth-gateway: RATE_LIMIT_REDIS_URL carries credentials/],
  ["a Compose gateway's Redis password in compose.yaml", 'deploy/compose/compose.yaml', '      RATE_LIMIT_REDIS_ON_FAILURE: local\n', '      RATE_LIMIT_REDIS_ON_FAILURE: local\n      RATE_LIMIT_REDIS_PASSWORD: s3cr3t\n',
    /compose.yaml service auth-gateway: RATE_LIMIT_REDIS_PASSWORD belongs in its secrets env file/],

  // service links: the actuator on a management port nothing outside reaches
  ['a service without a management port', 'deploy/k8s/token-refresher.yaml', '            - name: MANAGEMENT_SERVER_PORT\n              value: "9090"\n', '',
    /Deployment\/token-refresher container token-refresher: needs MANAGEMENT_SERVER_PORT/],
  ['a probe on the app port', 'deploy/k8s/account-service.yaml', 'httpGet: {path: /actuator/health/readiness, port: management}', 'httpGet: {path: /actuator/health/readiness, port: http}',
    /readinessProbe must use the management port management, not http/],
  ['Prometheus scraping the app port', 'deploy/k8s/auth-gateway.yaml', 'prometheus.io/port: "9090"', 'prometheus.io/port: "8080"',
    /Deployment\/auth-gateway container auth-gateway: prometheus.io\/port must be the management port 9090, not 8080/],
  ['a Service exposing the management port', 'deploy/k8s/account-service.yaml', '      port: 8080\n      targetPort: http\n', '      port: 8080\n      targetPort: http\n    - name: management\n      port: 9090\n      targetPort: management\n',
    /Service\/account-service: exposes the management port 9090/],
  ['an Ingress routing every path', 'deploy/k8s/auth-gateway.yaml', '- path: /api\n', '- path: /\n',
    /Ingress\/auth-gateway: routes \/: a catch-all or \/actuator path reaches the actuator/],
  ['Compose publishing the management port', 'deploy/compose/compose.yaml', '      - "8080:8080"\n', '      - "8080:8080"\n      - "9090:9090"\n',
    /compose.yaml service auth-gateway: publishes its management port 9090/],
  ['a Compose service without a management port', 'deploy/compose/compose.yaml', '      ACCOUNT_SERVICE_URL: http://account-service:8080\n      MANAGEMENT_SERVER_PORT: 9090\n', '      ACCOUNT_SERVICE_URL: http://account-service:8080\n',
    /compose.yaml service token-refresher: needs MANAGEMENT_SERVER_PORT/],
  ['a management port open beyond monitoring', 'deploy/k8s/network-policies.yaml', '              kubernetes.io/metadata.name: monitoring\n', '              kubernetes.io/metadata.name: monitoring\n        - podSelector:\n            matchLabels:\n              app.kubernetes.io/name: redis\n',
    /NetworkPolicy\/auth-gateway: opens the management port of Deployment\/auth-gateway to more than the monitoring namespace/],
  ['a Docker healthcheck on the app port', 'deploy/docker/Dockerfile', 'http://127.0.0.1:${MANAGEMENT_SERVER_PORT}/actuator', 'http://127.0.0.1:8080/actuator',
    /Dockerfile: HEALTHCHECK must probe the management port/],

  ['a management port that is the app port', 'deploy/k8s/auth-gateway.yaml', '            - name: MANAGEMENT_SERVER_PORT\n              value: "9090"', '            - name: MANAGEMENT_SERVER_PORT\n              value: "8080"',
    /Deployment\/auth-gateway container auth-gateway: MANAGEMENT_SERVER_PORT 8080 is the app port/],
  ['a management port no container port declares', 'deploy/k8s/token-refresher.yaml', '            - name: MANAGEMENT_SERVER_PORT\n              value: "9090"', '            - name: MANAGEMENT_SERVER_PORT\n              value: "9091"',
    /Deployment\/token-refresher container token-refresher: declares no container port 9091 for MANAGEMENT_SERVER_PORT/],
  ['Prometheus scraping another path', 'deploy/k8s/token-refresher.yaml', 'prometheus.io/path: /actuator/prometheus', 'prometheus.io/path: /metrics', /prometheus.io\/path must be \/actuator\/prometheus/],
  ['a service nobody scrapes', 'deploy/k8s/token-refresher.yaml', 'prometheus.io/scrape: "true"', 'prometheus.io/scrape: "false"', /Deployment\/token-refresher container token-refresher: needs prometheus.io\/scrape/],
  ['an Ingress routing the actuator', 'deploy/k8s/auth-gateway.yaml', '- path: /webhooks\n', '- path: /actuator\n', /Ingress\/auth-gateway: routes \/actuator/],
  ['an Ingress with a default backend', 'deploy/k8s/auth-gateway.yaml', '  ingressClassName: nginx\n', '  ingressClassName: nginx\n  defaultBackend:\n    service: {name: auth-gateway, port: {name: http}}\n',
    /Ingress\/auth-gateway: has a defaultBackend/],
  ['an Ingress routing to no Service port', 'deploy/k8s/auth-gateway.yaml', 'service: {name: auth-gateway, port: {name: http}}', 'service: {name: auth-gateway, port: {name: admin}}',
    /Ingress\/auth-gateway: path \/api routes to an unknown Service port/],
  ['Compose publishing another port', 'deploy/compose/compose.yaml', '      - "8080:8080"\n', '      - "8081:8081"\n', /compose.yaml service auth-gateway: publishes port 8081; only the app port 8080 may be published/],
  ['a Compose management port that is the app port', 'deploy/compose/compose.yaml', '      MANAGEMENT_SERVER_PORT: 9090\n', '      MANAGEMENT_SERVER_PORT: 8080\n',
    /compose.yaml service account-service: MANAGEMENT_SERVER_PORT 8080 is the app port/],
  ['an image without a management port', 'deploy/docker/Dockerfile', '    MANAGEMENT_SERVER_PORT=9090 \\\n', '', /Dockerfile: ENV MANAGEMENT_SERVER_PORT must set a management port apart from SERVER_PORT 8080/],

  // service links: NetworkPolicies for every component
  ['no default deny', 'deploy/k8s/network-policies.yaml', 'name: default-deny\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]', 'name: default-deny\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]',
    /network-policies.yaml: no default-deny NetworkPolicy in ads-connect/],
  ['a Deployment no NetworkPolicy covers', 'deploy/k8s/network-policies.yaml', 'name: token-refresher\nspec:\n  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: token-refresher', 'name: token-refresher\nspec:\n  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: token-refreshr',
    /Deployment\/token-refresher: no NetworkPolicy selects its pods for both Ingress and Egress/],
  ['a link the NetworkPolicies cut', 'deploy/k8s/network-policies.yaml', 'ads-connect/internal-client: "true"\n      ports:\n        - {port: http, protocol: TCP}\n        - {port: 4143, protocol: TCP}\n', 'ads-connect/internal-client: "true"\n      ports:\n        - {port: http, protocol: TCP}\n',
    /NetworkPolicies block token-refresher -> account-service on port 4143 \(Linkerd's inbound port/],
  ['the ingress controller cut off from the gateway', 'deploy/k8s/network-policies.yaml', 'kubernetes.io/metadata.name: ingress-nginx', 'kubernetes.io/metadata.name: ingress',
    /NetworkPolicies block the ingress controller \(ingress-nginx\) -> auth-gateway on port 8080/],
  ['no egress to the Linkerd control plane', 'deploy/k8s/network-policies.yaml', '        - {port: 8086, protocol: TCP}\n', '',
    /Deployment\/auth-gateway: no egress to the Linkerd control plane \(namespace linkerd, port 8086\)/],
  ['no egress to Kafka', 'deploy/k8s/network-policies.yaml', '        - {port: 9093, protocol: TCP}\n', '        - {port: 9092, protocol: TCP}\n',
    /Deployment\/account-service container account-service: no egress to Kafka \(ads-connect brokers in kafka, port 9093\)/],

  ['a NetworkPolicy selecting nothing', 'deploy/k8s/network-policies.yaml', 'name: token-refresher\nspec:\n  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: token-refresher', 'name: token-refresher\nspec:\n  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: token-refreshr',
    /NetworkPolicy\/token-refresher: selects no pods/],
  ['no egress to DNS', 'deploy/k8s/network-policies.yaml', '        - {port: 53, protocol: UDP}\n', '', /Deployment\/auth-gateway: no egress to DNS/],

  // forwarded headers: who the client is
  ['Spring believing any peer\'s forwarded headers', 'deploy/k8s/auth-gateway.yaml', '            - name: GATEWAY_TRUSTED_PROXIES\n', '            - name: SERVER_FORWARD_HEADERS_STRATEGY\n              value: native\n            - name: GATEWAY_TRUSTED_PROXIES\n',
    /Deployment\/auth-gateway container auth-gateway: sets SERVER_FORWARD_HEADERS_STRATEGY/],
  ['a gateway behind the ingress that trusts no proxy', 'deploy/k8s/auth-gateway.yaml', '            - name: GATEWAY_TRUSTED_PROXIES\n              value: 127.0.0.1/32,::1/128\n', '',
    /Deployment\/auth-gateway container auth-gateway: needs GATEWAY_TRUSTED_PROXIES/],
  ['a trusted proxy that is a name', 'deploy/k8s/account-service.yaml', 'value: 127.0.0.1/32,::1/128', 'value: auth-gateway',
    /FORWARDED_TRUSTED_PROXIES auth-gateway is not a list of addresses or CIDR blocks/],
  ['a Compose account-service that names no gateway addresses', 'deploy/compose/compose.yaml', '      FORWARDED_TRUSTED_PROXIES: 172.28.0.0/24\n', '',
    /compose.yaml service account-service: needs FORWARDED_TRUSTED_PROXIES/],
  ['a Compose service with Spring\'s forwarded headers', 'deploy/compose/compose.yaml', '      FORWARDED_TRUSTED_PROXIES: 172.28.0.0/24\n', '      FORWARDED_TRUSTED_PROXIES: 172.28.0.0/24\n      SERVER_FORWARD_HEADERS_STRATEGY: framework\n',
    /compose.yaml service account-service: sets SERVER_FORWARD_HEADERS_STRATEGY/],

  // service links: database timeouts
  ['no lock timeout', 'deploy/k8s/account-service.yaml', '            - name: DATABASE_LOCK_TIMEOUT\n              value: 5s\n', '',
    /Deployment\/account-service container account-service: needs DATABASE_LOCK_TIMEOUT/],
  ['a statement timeout of zero', 'deploy/k8s/account-service.yaml', 'value: 30s', 'value: "0"',
    /DATABASE_STATEMENT_TIMEOUT must be more than zero/],
  ['a lock timeout as long as the lease', 'deploy/compose/compose.yaml', 'DATABASE_LOCK_TIMEOUT: 5s', 'DATABASE_LOCK_TIMEOUT: 3m',
    /compose.yaml service account-service: DATABASE_LOCK_TIMEOUT 3m is not shorter than the lease \(TOKEN_VAULT_LEASE_DURATION 2m\)/],
  ['a lock timeout longer than a shortened lease', 'deploy/k8s/account-service.yaml', '            - name: DATABASE_LOCK_TIMEOUT\n              value: 5s\n', '            - name: DATABASE_LOCK_TIMEOUT\n              value: 5s\n            - name: TOKEN_VAULT_LEASE_DURATION\n              value: 5s\n',
    /DATABASE_LOCK_TIMEOUT 5s is not shorter than the lease \(TOKEN_VAULT_LEASE_DURATION 5s\)/],
  ['a lock timeout that is no duration', 'deploy/k8s/account-service.yaml', 'value: 5s', 'value: soon', /DATABASE_LOCK_TIMEOUT soon is not a duration/],

  // the pieces around them
  ['an infrastructure container without a liveness probe', 'deploy/k8s/redis.yaml', '          livenessProbe:\n            exec:\n              command: ["sh", "-c", "redis-cli ping | grep -q PONG"]\n            periodSeconds: 10\n            failureThreshold: 3\n', '',
    /Deployment\/redis container redis: needs a liveness and a readiness probe/],
  ["Redis's password as a literal for redis-cli", 'deploy/k8s/redis.yaml', "- name: REDISCLI_AUTH\n              valueFrom:\n                secretKeyRef: {name: redis, key: password}", '- name: REDISCLI_AUTH\n              value: s3cr3t',
    /env REDISCLI_AUTH looks secret but is a literal/],
  ['a KafkaTopic of an unknown cluster', 'deploy/k8s/kafka-topics.yaml', 'strimzi.io/cluster: ads-connect', 'strimzi.io/cluster: events',
    /KafkaTopic\/amazon.token-expiring: names cluster events, which is not modelled/],
  ['no Namespace object', 'deploy/k8s/namespace.yaml', 'name: ads-connect', 'name: ads', /namespace.yaml: no Namespace ads-connect/],
  ['a Kafka client the validator knows no access for', 'deploy/k8s/token-refresher.yaml', 'kind: Deployment\nmetadata:\n  name: token-refresher', 'kind: Deployment\nmetadata:\n  name: refresher',
    /KafkaUser\/token-refresher: validate.mjs knows no Kafka access of Deployment\/refresher/],

  // the kustomizations
  ['a kustomization listing a missing file', 'deploy/k8s/kafka/kustomization.yaml', '  - kafka-cluster.yaml', '  - kafka.yaml',
    /kafka\/kustomization.yaml: lists kafka.yaml, which does not exist/],
  ['a kustomization missing a file', 'deploy/k8s/kafka/kustomization.yaml', '  - kafka-cluster.yaml', '  - kafka.yaml',
    /kafka\/kustomization.yaml: does not list kafka-cluster.yaml/],
];
test('refuses manifests in a directory without a kustomization', () => {
  const copy = brokenCopy('deploy/k8s/kafka/kustomization.yaml', 'namespace: kafka', 'namespace: kafka');
  fs.rmSync(path.join(copy, 'deploy/k8s/kafka/kustomization.yaml'));
  const { problems } = validateDeploy(copy);
  assert.ok(problems.some((p) => /kafka\/: holds manifests but no kustomization.yaml/.test(p)), problems.join('\n'));
});

for (const [name, file, from, to, expected] of cases) {
  test(`refuses ${name}`, () => {
    const { problems } = validateDeploy(brokenCopy(file, from, to));
    assert.ok(problems.some((p) => expected.test(p)), `expected ${expected} among:\n${problems.join('\n')}`);
  });
}
