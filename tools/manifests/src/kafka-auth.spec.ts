import { checkKafkaAuth, workloadKafkaConnection } from './kafka-auth';
import { renderKustomization, type K8sObject } from './render';
import { exampleSecretValues } from './secrets-example';

const secretValues = exampleSecretValues();
const rendered = new Map<string, K8sObject[]>();
function render(overlay: string): K8sObject[] {
  if (!rendered.has(overlay)) rendered.set(overlay, renderKustomization(overlay));
  return structuredClone(rendered.get(overlay)!);
}
const SECURED = 'k8s/overlays/prod-kafka-sasl';

describe('Kafka TLS and SASL in the manifests', () => {
  it.each(['k8s/overlays/dev', 'k8s/overlays/prod', 'k8s/overlays/prod-keda', SECURED])(
    '%s: every client connects one way, and KEDA the same way',
    (overlay) => {
      expect(checkKafkaAuth(render(overlay), secretValues)).toEqual([]);
    },
  );

  it('prod-kafka-sasl: apps and the provision Job use SASL_SSL with SCRAM-SHA-512 and the mounted CA', () => {
    const objects = render(SECURED);
    // The console talks to the services over HTTP only; it reads no Kafka (its configuration has
    // no broker variable, whatever the shared ConfigMap holds).
    const workloads = objects.filter(
      (o) =>
        (o.kind === 'Deployment' && o.metadata.name !== 'console') ||
        o.metadata.name === 'shopwire-provision',
    );
    expect(workloads).toHaveLength(8);
    for (const workload of workloads) {
      const connection = workloadKafkaConnection(workload, objects, secretValues);
      expect(connection.sasl).toMatchObject({
        mechanism: 'scram-sha-512',
        username: secretValues.get('shopwire-kafka-credentials')!.get('KAFKA_SASL_USERNAME'),
      });
      expect(connection.ssl).toMatchObject({ ca: ['PEM'], rejectUnauthorized: true });
    }
    const triggers = objects
      .filter((o) => o.kind === 'ScaledObject')
      .flatMap((o) => (o.spec as { triggers: { type: string }[] }).triggers)
      .filter((t) => t.type === 'kafka');
    expect(triggers).toHaveLength(5);
    for (const trigger of triggers)
      expect(trigger).toMatchObject({
        authenticationRef: { name: 'shopwire-kafka' },
        metadata: { sasl: 'scram_sha512', tls: 'enable' },
      });
  });

  it('the plaintext overlays give no client TLS or SASL', () => {
    for (const overlay of ['k8s/overlays/dev', 'k8s/overlays/prod-keda']) {
      const objects = render(overlay);
      const gateway = objects.find(
        (o) => o.kind === 'Deployment' && o.metadata.name === 'gateway',
      )!;
      expect(workloadKafkaConnection(gateway, objects, secretValues)).toEqual({
        brokers: [expect.any(String)],
      });
    }
  });

  describe('catches', () => {
    const scaled = (objects: K8sObject[]) =>
      objects
        .filter((o) => o.kind === 'ScaledObject')
        .map(
          (o) =>
            (
              o.spec as {
                triggers: { metadata: Record<string, string>; authenticationRef?: unknown }[];
              }
            ).triggers[0]!,
        );

    it('a KEDA trigger with another mechanism, without TLS or without its TriggerAuthentication', () => {
      const objects = render(SECURED);
      const [first, second, third] = scaled(objects);
      first!.metadata.sasl = 'scram_sha256';
      delete second!.metadata.tls;
      delete third!.authenticationRef;
      const problems = checkKafkaAuth(objects, secretValues).join('\n');
      expect(problems).toMatch(
        /analytics kafka trigger: sasl scram_sha256, the pods use scram_sha512/,
      );
      expect(problems).toMatch(/inventory kafka trigger: tls disable, the pods use enable/);
      expect(problems).toMatch(/notification kafka trigger: needs an authenticationRef/);
    });

    it('a TriggerAuthentication reading another Secret than the pods', () => {
      const objects = render(SECURED);
      const auth = objects.find((o) => o.kind === 'TriggerAuthentication')!;
      const refs = (auth.spec as { secretTargetRef: { parameter: string; name: string }[] })
        .secretTargetRef;
      refs.find((r) => r.parameter === 'password')!.name = 'keda-own-secret';
      expect(checkKafkaAuth(objects, secretValues).join('\n')).toMatch(
        /password comes from keda-own-secret\/KAFKA_SASL_PASSWORD, the pods read shopwire-kafka-credentials\/KAFKA_SASL_PASSWORD/,
      );
    });

    it('a pod without the credentials or the CA volume, and clients that disagree', () => {
      const objects = render(SECURED);
      const spec = (name: string) =>
        (
          objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name)!.spec as {
            template: {
              spec: { containers: { env: { name: string }[] }[]; volumes: { name: string }[] };
            };
          }
        ).template.spec;
      const sync = spec('sync');
      sync.containers[0]!.env = sync.containers[0]!.env.filter(
        (e) => e.name !== 'KAFKA_SASL_PASSWORD',
      );
      const order = spec('order');
      order.volumes = order.volumes.filter((v) => v.name !== 'kafka-tls');
      const problems = checkKafkaAuth(objects, secretValues).join('\n');
      expect(problems).toMatch(/Deployment sync: KAFKA_SASL_PASSWORD: is required/);
      expect(problems).toMatch(/Deployment order: KAFKA_SSL_CA_FILE: cannot read/);
    });

    it('a KEDA trigger using SASL against plaintext pods', () => {
      const objects = render('k8s/overlays/prod-keda');
      scaled(objects)[0]!.metadata.sasl = 'scram_sha512';
      expect(checkKafkaAuth(objects, secretValues).join('\n')).toMatch(
        /sasl scram_sha512, the pods use none/,
      );
    });
  });
});
