import {
  ConfigError,
  kafkaConnection,
  kafkaEnv,
  kafkaSecurityProtocol,
  loadConfig,
  z,
  type KafkaConnection,
} from '@shopwire/config';
import { posix } from 'node:path';
import { containerEnvironment } from './app-config';
import type { K8sObject } from './render';

/** KEDA's kafka trigger names the mechanisms its own way. */
export const KEDA_SASL: Record<string, string> = {
  plain: 'plaintext',
  'scram-sha-256': 'scram_sha256',
  'scram-sha-512': 'scram_sha512',
};

interface Container {
  name: string;
  env?: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  containers: Container[];
  volumes?: { name: string; secret?: { secretName: string } }[];
}
interface Trigger {
  type: string;
  metadata?: Record<string, string>;
  authenticationRef?: { name: string };
}

const podSpec = (workload: K8sObject) =>
  (workload.spec as { template: { spec: PodSpec } }).template.spec;

/** Secret and key a mounted file comes from, when `path` lies in a Secret volume. */
function mountedSecretFile(spec: PodSpec, path: string): { name: string; key: string } | undefined {
  for (const mount of spec.containers[0]?.volumeMounts ?? []) {
    const secret = spec.volumes?.find((v) => v.name === mount.name)?.secret;
    const dir = mount.mountPath.replace(/\/+$/, '');
    if (secret && posix.dirname(path) === dir)
      return { name: secret.secretName, key: posix.basename(path) };
  }
  return undefined;
}

/**
 * How a workload would connect to Kafka, by the apps' own `kafkaConnection`: its environment
 * from the rendered ConfigMaps and the example Secrets, certificate files resolved against its
 * Secret volumes (a path outside them is a file the pod does not have).
 */
export function workloadKafkaConnection(
  workload: K8sObject,
  objects: K8sObject[],
  secretValues: Map<string, Map<string, string>>,
): KafkaConnection {
  // The production guard's verdict on the example placeholders is the app-config check's
  // business; here only the connection settings are judged.
  const { SHOPWIRE_ENV: _environment, ...env } = containerEnvironment(
    workload,
    objects,
    secretValues,
  );
  const spec = podSpec(workload);
  return kafkaConnection(loadConfig(z.object(kafkaEnv), env), (path) => {
    if (!mountedSecretFile(spec, path))
      throw Object.assign(new Error(path), { code: 'ENOENT (no Secret volume holds it)' });
    return 'PEM';
  });
}

/**
 * Every Kafka client in a rendered overlay connects the same way: each app Deployment and the
 * provision Job would start with one security protocol, credentials come from Secrets, and each
 * KEDA kafka trigger matches them — `sasl`/`tls` spelled for KEDA and a TriggerAuthentication
 * whose user, password and CA are the very Secret keys the pods read.
 */
export function checkKafkaAuth(
  objects: K8sObject[],
  secretValues: Map<string, Map<string, string>>,
): string[] {
  const problems: string[] = [];
  const workloads = objects.filter(
    (o) =>
      o.kind === 'Deployment' || (o.kind === 'Job' && o.metadata.name === 'shopwire-provision'),
  );
  const protocols = new Set<string>();
  let reference: { workload: K8sObject; connection: KafkaConnection } | undefined;
  for (const workload of workloads) {
    const at = `${workload.kind} ${workload.metadata.name}`;
    try {
      const connection = workloadKafkaConnection(workload, objects, secretValues);
      protocols.add(kafkaSecurityProtocol(connection));
      reference ??= { workload, connection };
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems.map((p) => `${at}: ${p}`));
    }
  }
  if (protocols.size > 1)
    problems.push(`Kafka clients disagree on the protocol: ${[...protocols].sort().join(', ')}`);
  if (!reference) return problems;

  const { workload, connection } = reference;
  const spec = podSpec(workload);
  const secretOf = (name: string) =>
    spec.containers[0]?.env?.find((e) => e.name === name)?.valueFrom?.secretKeyRef;
  const caFile = containerEnvironment(workload, objects, secretValues).KAFKA_SSL_CA_FILE;
  const expected = {
    sasl: connection.sasl ? KEDA_SASL[connection.sasl.mechanism] : undefined,
    tls: connection.ssl ? 'enable' : undefined,
    username: secretOf('KAFKA_SASL_USERNAME'),
    password: secretOf('KAFKA_SASL_PASSWORD'),
    ca: caFile ? mountedSecretFile(spec, caFile) : undefined,
  };
  const auths = new Map(
    objects
      .filter((o) => o.kind === 'TriggerAuthentication')
      .map((o) => [
        o.metadata.name,
        (o.spec as { secretTargetRef?: { parameter: string; name: string; key: string }[] })
          .secretTargetRef ?? [],
      ]),
  );
  for (const scaled of objects.filter((o) => o.kind === 'ScaledObject')) {
    const triggers = ((scaled.spec as { triggers?: Trigger[] }).triggers ?? []).filter(
      (t) => t.type === 'kafka',
    );
    for (const trigger of triggers) {
      const at = `ScaledObject ${scaled.metadata.name} kafka trigger`;
      const sasl = trigger.metadata?.sasl === 'none' ? undefined : trigger.metadata?.sasl;
      const tls = trigger.metadata?.tls === 'disable' ? undefined : trigger.metadata?.tls;
      if (sasl !== expected.sasl)
        problems.push(`${at}: sasl ${sasl ?? 'none'}, the pods use ${expected.sasl ?? 'none'}`);
      if (tls !== expected.tls)
        problems.push(`${at}: tls ${tls ?? 'disable'}, the pods use ${expected.tls ?? 'disable'}`);
      if (!expected.sasl && !expected.tls) continue;
      const refs = auths.get(trigger.authenticationRef?.name ?? '');
      if (!refs) {
        problems.push(`${at}: needs an authenticationRef to a rendered TriggerAuthentication`);
        continue;
      }
      const wanted: [string, { name: string; key: string } | undefined][] = [
        ['username', expected.sasl ? expected.username : undefined],
        ['password', expected.sasl ? expected.password : undefined],
        ['ca', expected.ca],
      ];
      for (const [parameter, source] of wanted) {
        const ref = refs.find((r) => r.parameter === parameter);
        const same = source && ref && ref.name === source.name && ref.key === source.key;
        if (source && !same)
          problems.push(
            `${at}: ${parameter} comes from ${ref ? `${ref.name}/${ref.key}` : 'nowhere'}, the pods read ${source.name}/${source.key}`,
          );
      }
    }
  }
  return problems;
}
