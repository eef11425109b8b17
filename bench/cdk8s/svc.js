// The svcN benchmark workload in cdk8s: N web services, each a ConfigMap, a
// Deployment, a Service, a HorizontalPodAutoscaler and an Ingress.
//
//   node bench/cdk8s/svc.js N OUTDIR
//
// It builds the same construct tree and the same objects as tsumiki's
// internal/svcn/svcn.go, so the YAML both write can be compared byte for
// byte (internal/svcn's TestMatchesCDK8s) and the two timed against each
// other (BenchmarkProcess). Change both together. Objects set no `status`:
// tsumiki leaves out the empty status typed Go structs carry.
'use strict';

const { App, ApiObject, Chart } = require('cdk8s');
const { Construct } = require('constructs');

function usage() {
  process.stderr.write('usage: node svc.js N OUTDIR\n');
  process.exit(2);
}

const [nArg, outdir] = process.argv.slice(2);
const n = Number(nArg);
if (process.argv.length !== 4 || !Number.isInteger(n) || n < 0) {
  usage();
}

function addService(scope, i) {
  const id = `svc${i}`;
  const svc = new Construct(scope, id);
  const selector = { 'app.kubernetes.io/name': id };

  const config = new ApiObject(svc, 'config', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    data: {
      LOG_LEVEL: 'info',
      PORT: '8080',
      SERVICE_NAME: id,
    },
  });

  const deployment = new ApiObject(svc, 'deployment', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    spec: {
      replicas: 2,
      selector: { matchLabels: selector },
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 },
      },
      template: {
        metadata: { labels: selector },
        spec: {
          containers: [{
            name: 'app',
            image: 'registry.example.com/svcn/app:1.4.2',
            ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
            envFrom: [{ configMapRef: { name: config.name } }],
            resources: {
              requests: { cpu: '100m', memory: '128Mi' },
              limits: { cpu: '500m', memory: '256Mi' },
            },
            readinessProbe: {
              httpGet: { path: '/healthz/ready', port: 'http' },
              initialDelaySeconds: 5,
              periodSeconds: 10,
            },
            livenessProbe: {
              httpGet: { path: '/healthz/live', port: 'http' },
              initialDelaySeconds: 15,
              periodSeconds: 20,
              failureThreshold: 3,
            },
          }],
        },
      },
    },
  });

  const service = new ApiObject(svc, 'service', {
    apiVersion: 'v1',
    kind: 'Service',
    spec: {
      type: 'ClusterIP',
      selector,
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    },
  });

  new ApiObject(svc, 'hpa', {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.name },
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [{
        type: 'Resource',
        resource: {
          name: 'cpu',
          target: { type: 'Utilization', averageUtilization: 70 },
        },
      }],
    },
  });

  new ApiObject(svc, 'ingress', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    spec: {
      ingressClassName: 'nginx',
      rules: [{
        host: `${id}.example.com`,
        http: {
          paths: [{
            path: '/',
            pathType: 'Prefix',
            backend: { service: { name: service.name, port: { name: 'http' } } },
          }],
        },
      }],
    },
  });
}

const app = new App({ outdir });
const chart = new Chart(app, 'svcn', {
  namespace: 'bench',
  labels: { 'app.kubernetes.io/part-of': 'svcn' },
});
for (let i = 0; i < n; i++) {
  addService(chart, i);
}
app.synth();
