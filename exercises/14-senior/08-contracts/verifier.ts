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

/**
 * Replays every interaction of `contract` against the provider at `baseUrl` and returns
 * where its responses no longer match (see README.md for the matching rules).
 */
export async function verify(_contract: Contract, _baseUrl: string): Promise<Violation[]> {
  throw new Error('TODO: verify: send each interaction\'s request and compare status, headers and body by type (see README.md, step 1)\nTODO(ru): verify: отправить запрос каждого взаимодействия и сравнить код ответа, заголовки и тело по типам (см. README.ru.md, шаг 1)')
}
