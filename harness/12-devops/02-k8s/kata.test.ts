import { describe, expect, it } from 'vitest'
import { dir } from '@kata/devops/k8s/index.ts'
import { isDict, parseManifests, quantity, readKataFile, selects, type Dict, type Manifest } from '#support/devops'

const FILE = 'k8s.yaml'
const SECRET = 'api-secrets'
const SECRET_KEYS = ['DATABASE_URL', 'JWT_SECRET']

/** The manifests (read afresh for every test), or a failed expectation saying there are none. */
function manifests(): Manifest[] {
  const { manifests: list } = parseManifests(readKataFile(dir, FILE))
  expect(list.length, `Kubernetes objects in ${FILE} (it has none so far)`).toBeGreaterThan(0)
  return list
}

function find(list: Manifest[], kind: string, name: string): Manifest {
  const found = list.find((m) => m.kind === kind && m.name === name)
  expect(found, `${kind} "${name}" in ${FILE} (found: ${list.map((m) => m.label).join(', ') || 'nothing'})`).toBeDefined()
  return found!
}

const get = (v: unknown, ...path: string[]): unknown => path.reduce<unknown>((o, k) => (isDict(o) ? o[k] : undefined), v)
const dict = (v: unknown): Dict => (isDict(v) ? v : {})
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])
const labelsOf = (v: unknown): Record<string, string> => Object.fromEntries(Object.entries(dict(v)).map(([k, x]) => [k, String(x)]))

interface Parts {
  deployment: Manifest
  podLabels: Record<string, string>
  pod: Dict
  container: Dict
  configMap: Manifest
}

/** The Deployment api, its pod template and its container (the one named api, or the only one). */
function parts(): Parts {
  const all = manifests()
  const deployment = find(all, 'Deployment', 'api')
  const configMap = find(all, 'ConfigMap', 'api-config')
  const pod = dict(get(deployment.body, 'spec', 'template', 'spec'))
  const containers = list(pod.containers).filter(isDict)
  expect(containers.length, 'Deployment/api: spec.template.spec.containers').toBeGreaterThan(0)
  const container = containers.find((c) => c.name === 'api') ?? (containers.length === 1 ? containers[0] : undefined)
  expect(container, `Deployment/api: a container named "api" (containers: ${containers.map((c) => String(c.name)).join(', ')})`).toBeDefined()
  return { deployment, configMap, pod, container: container!, podLabels: labelsOf(get(deployment.body, 'spec', 'template', 'metadata', 'labels')) }
}

/** A probe's or Service's port (number or name) as the container port number it means, if any. */
function resolvePort(container: Dict, port: unknown): number | undefined {
  const ports = list(container.ports).filter(isDict)
  if (typeof port === 'number' || /^\d+$/.test(String(port))) {
    const n = Number(port)
    return ports.some((p) => p.containerPort === n) ? n : undefined
  }
  const named = ports.find((p) => p.name === port)
  return named ? Number(named.containerPort) : undefined
}

describe(FILE, () => {
  it('holds only valid Kubernetes objects (apiVersion, kind and the OpenAPI schema)', () => {
    const { manifests: all, errors } = parseManifests(readKataFile(dir, FILE))
    expect(errors, `${FILE}: what kubectl apply would reject`).toEqual([])
    expect(all.length, `Kubernetes objects in ${FILE}`).toBeGreaterThan(0)
  })

  it('contains the ConfigMap api-config, the Deployment api and the Service api, and no Secret', () => {
    const all = manifests()
    find(all, 'ConfigMap', 'api-config')
    find(all, 'Deployment', 'api')
    find(all, 'Service', 'api')
    const secrets = all.filter((m) => m.kind === 'Secret').map((m) => m.label)
    expect(secrets, `Secrets in ${FILE}: secret values do not belong in git (base64 is not encryption); ${SECRET} is created in the cluster with kubectl create secret`).toEqual([])
  })

  it("runs at least two replicas, and the selector matches the pod template's labels", () => {
    const { deployment, podLabels } = parts()
    const replicas = get(deployment.body, 'spec', 'replicas')
    expect(replicas ?? 1, 'Deployment/api spec.replicas: one replica means downtime on every rollout and node failure').toBeGreaterThanOrEqual(2)
    const selector = dict(get(deployment.body, 'spec', 'selector'))
    expect(selects(selector, podLabels), `Deployment/api: spec.selector ${JSON.stringify(selector)} must select the pod template labels ${JSON.stringify(podLabels)} (the API rejects it otherwise)`).toBe(true)
  })

  it('runs a pinned image, listening on the PORT of the ConfigMap', () => {
    const { container, configMap } = parts()
    const image = String(container.image ?? '')
    const tag = /:([^/:@]+)$/.exec(image.split('@')[0]!)?.[1]
    expect(image.includes('@sha256:') || (tag !== undefined && tag !== 'latest'), `container image "${image}": pin a version such as ghcr.io/acme/orders-api:1.4.0 (a moving tag makes rollbacks and replicas differ)`).toBe(true)
    const data = dict(get(configMap.body, 'data'))
    for (const key of ['PORT', 'LOG_LEVEL']) expect(Object.keys(data), `ConfigMap/api-config data`).toContain(key)
    const port = Number(data.PORT)
    const containerPorts = list(container.ports).filter(isDict).map((p) => Number(p.containerPort))
    expect(containerPorts, `container ports: the app listens on PORT=${String(data.PORT)} from the ConfigMap`).toContain(port)
  })

  it('takes its settings from the ConfigMap and DATABASE_URL and JWT_SECRET from the Secret api-secrets', () => {
    const { container, configMap } = parts()
    const envFrom = list(container.envFrom).filter(isDict)
    const env = list(container.env).filter(isDict)
    const cmKeys = Object.keys(dict(get(configMap.body, 'data')))
    const wholeConfigMap = envFrom.some((e) => get(e, 'configMapRef', 'name') === 'api-config')
    for (const key of cmKeys) {
      const viaKey = env.some((e) => e.name === key && get(e, 'valueFrom', 'configMapKeyRef', 'name') === 'api-config' && get(e, 'valueFrom', 'configMapKeyRef', 'key') === key)
      expect(wholeConfigMap || viaKey, `container env: ${key} from ConfigMap api-config (envFrom: [{ configMapRef: { name: api-config } }])`).toBe(true)
    }
    for (const e of env) {
      const ref = dict(get(e, 'valueFrom', 'configMapKeyRef'))
      if (ref.name === 'api-config') expect(cmKeys, `env ${String(e.name)} reads key "${String(ref.key)}" of api-config, which it does not have (the pod would not start)`).toContain(ref.key)
    }
    const wholeSecret = envFrom.some((e) => get(e, 'secretRef', 'name') === SECRET)
    for (const key of SECRET_KEYS) {
      const viaKey = env.some((e) => e.name === key && get(e, 'valueFrom', 'secretKeyRef', 'name') === SECRET && get(e, 'valueFrom', 'secretKeyRef', 'key') === key)
      expect(wholeSecret || viaKey, `container env: ${key} from the Secret ${SECRET} (valueFrom.secretKeyRef { name: ${SECRET}, key: ${key} })`).toBe(true)
    }
    const literal = env.filter((e) => e.value !== undefined && /PASSWORD|SECRET|TOKEN|DATABASE_URL|KEY/i.test(String(e.name))).map((e) => String(e.name))
    expect(literal, 'env entries with a secret written as value: (use valueFrom.secretKeyRef)').toEqual([])
  })

  it("the Service selects the api pods and sends traffic to the container's port", () => {
    const all = manifests()
    const { container, podLabels } = parts()
    const service = find(all, 'Service', 'api')
    const selector = labelsOf(get(service.body, 'spec', 'selector'))
    expect(Object.keys(selector).length, 'Service/api spec.selector: without one it selects no pods').toBeGreaterThan(0)
    expect(selects({ matchLabels: selector }, podLabels), `Service/api selector ${JSON.stringify(selector)} does not match the pod labels ${JSON.stringify(podLabels)}: the Service would have no endpoints`).toBe(true)
    const ports = list(get(service.body, 'spec', 'ports')).filter(isDict)
    expect(ports.length, 'Service/api spec.ports').toBeGreaterThan(0)
    for (const p of ports) {
      const target = p.targetPort ?? p.port
      expect(resolvePort(container, target), `Service/api port ${String(p.port)} → targetPort ${String(target)}: no such container port (declared: ${JSON.stringify(container.ports ?? [])})`).toBeDefined()
    }
  })

  it('has a readiness probe on /readyz and a liveness probe on /healthz, on the container port', () => {
    const { container } = parts()
    for (const [probe, path] of [['readinessProbe', '/readyz'], ['livenessProbe', '/healthz']] as const) {
      const p = dict(container[probe])
      expect(container[probe], `container ${probe}`).toBeDefined()
      const http = dict(p.httpGet)
      expect(p.httpGet, `${probe}: an httpGet probe on ${path}`).toBeDefined()
      expect(http.path, `${probe}.httpGet.path`).toBe(path)
      expect(resolvePort(container, http.port), `${probe}.httpGet.port ${String(http.port)}: not a port the container declares`).toBeDefined()
    }
  })

  it('gives the liveness probe more patience than readiness, and time to start', () => {
    const { container } = parts()
    const patience = (p: Dict) => Number(p.periodSeconds ?? 10) * Number(p.failureThreshold ?? 3)
    const readiness = dict(container.readinessProbe)
    const liveness = dict(container.livenessProbe)
    expect(container.livenessProbe, 'container livenessProbe').toBeDefined()
    expect(patience(liveness), `livenessProbe gives up after ${patience(liveness)} s, readiness after ${patience(readiness)} s: a busy pod would be restarted before it is even taken out of the Service`).toBeGreaterThanOrEqual(patience(readiness))
    const startup = container.startupProbe !== undefined || Number(liveness.initialDelaySeconds ?? 0) > 0
    expect(startup, 'livenessProbe: give the app time to start (initialDelaySeconds, or a startupProbe), or a slow start ends in a restart loop').toBe(true)
  })

  it('requests CPU and memory and limits memory, with requests no larger than limits', () => {
    const { container } = parts()
    const requests = dict(get(container, 'resources', 'requests'))
    const limits = dict(get(container, 'resources', 'limits'))
    for (const r of ['cpu', 'memory']) {
      expect(requests[r], `resources.requests.${r}: the scheduler places pods by their requests`).toBeDefined()
      expect(quantity(requests[r]), `resources.requests.${r} = ${String(requests[r])}`).toBeGreaterThan(0)
    }
    expect(limits.memory, 'resources.limits.memory: without it one leaking pod can starve the node').toBeDefined()
    for (const r of Object.keys(limits)) {
      if (requests[r] !== undefined) expect(quantity(requests[r]), `resources.requests.${r} (${String(requests[r])}) must not exceed limits.${r} (${String(limits[r])})`).toBeLessThanOrEqual(quantity(limits[r]))
    }
  })

  it('runs as a non-root user (runAsNonRoot: true)', () => {
    const { pod, container } = parts()
    const value = get(container, 'securityContext', 'runAsNonRoot') ?? get(pod, 'securityContext', 'runAsNonRoot')
    expect(value, 'securityContext.runAsNonRoot (pod or container): the kubelet then refuses to start the container as root').toBe(true)
  })
})
