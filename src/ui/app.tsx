import type { Lang } from '../i18n/lang.ts'
import type { WatchEngine } from '../watch/engine.ts'
import { attachPlain } from './plain.ts'

// Placeholder until the Ink interface lands: plain lines.
export async function runInk(engine: WatchEngine, lang: Lang): Promise<number> {
  attachPlain(engine, lang)
  await engine.start()
  await new Promise<void>((resolve) => process.once('SIGINT', resolve))
  await engine.close()
  return 0
}
