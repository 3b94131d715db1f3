// A consumer-driven contract verifier: replays each interaction a consumer recorded against
// a running provider and reports where the response no longer matches what it relies on.

export interface Interaction {
  description: string
  request: { method: string; path: string; headers?: Record<string, string>; body?: unknown }
  response: { status: number; headers?: Record<string, string>; body?: unknown }
}

export interface Contract {
  consumer: string
  provider: string
  interactions: Interaction[]
}

export interface Violation {
  /** The interaction's description. */
  interaction: string
  /** Where: "request", "status", "headers.<name>", "$", "$.price.amount", "$.items[1].id". */
  path: string
  message: string
}

const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)

/**
 * Matching by type: the expected body is an example. Keys it has must be there with values
 * of the same type; keys it lacks are the provider's business (adding a field breaks nobody).
 */
function match(expected: unknown, actual: unknown, path: string, out: (path: string, message: string) => void): void {
  const want = kind(expected)
  const got = kind(actual)
  if (want !== got) return out(path, `expected ${want}, got ${got}`)
  if (want === 'array') {
    const [example] = expected as unknown[]
    const items = actual as unknown[]
    if (example === undefined) return
    if (!items.length) return out(path, 'expected at least one element, got an empty array')
    items.forEach((item, i) => match(example, item, `${path}[${i}]`, out))
  } else if (want === 'object') {
    const obj = actual as Record<string, unknown>
    for (const [key, value] of Object.entries(expected as Record<string, unknown>)) {
      if (!Object.hasOwn(obj, key)) out(`${path}.${key}`, 'missing')
      else match(value, obj[key], `${path}.${key}`, out)
    }
  }
}

export async function verify(contract: Contract, baseUrl: string): Promise<Violation[]> {
  const violations: Violation[] = []
  for (const { description, request, response } of contract.interactions) {
    const out = (path: string, message: string) => void violations.push({ interaction: description, path, message })
    const headers: Record<string, string> = { ...request.headers }
    if (request.body !== undefined) headers['content-type'] ??= 'application/json'
    let res: Response
    try {
      res = await fetch(new URL(request.path, baseUrl), {
        method: request.method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
      })
    } catch (err) {
      out('request', `the provider did not answer: ${(err as Error).message}`)
      continue
    }
    const text = await res.text()
    if (res.status !== response.status) {
      out('status', `expected ${response.status}, got ${res.status}`)
      continue
    }
    for (const [name, value] of Object.entries(response.headers ?? {})) {
      const actual = res.headers.get(name)
      if (actual === null || actual !== value) out(`headers.${name.toLowerCase()}`, `expected ${value}, got ${actual ?? 'nothing'}`)
    }
    if (response.body === undefined) continue
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      out('$', `expected a JSON body, got ${JSON.stringify(text.slice(0, 60))}`)
      continue
    }
    match(response.body, body, '$', out)
  }
  return violations
}
