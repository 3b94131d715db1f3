import { render } from 'ink'
import type { Lang } from '../i18n/lang.ts'
import type { WatchEngine } from '../watch/engine.ts'
import { App } from './App.tsx'

/**
 * Mounts the Ink screen first (it draws the warm-up status), starts the engine
 * beside it, and on quit closes workers and services before the terminal is restored.
 */
export async function runInk(engine: WatchEngine, lang: Lang): Promise<number> {
  const instance = render(<App engine={engine} lang={lang} />, { exitOnCtrlC: false, patchConsole: true })
  const started = engine.start().catch(() => undefined) // start() reports its own failure as an event
  await instance.waitUntilExit()
  await started
  await engine.close()
  return 0
}
