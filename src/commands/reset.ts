import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import type { Kata } from '../catalog/types.ts'
import { messages } from '../i18n/messages.ts'
import { pristineStarter, StarterUnavailableError } from '../progress/starters.ts'
import { ProgressStore } from '../progress/store.ts'
import { exercisesTarget, learnerFiles } from '../runner/target.ts'
import { EXIT, type ExitCode } from '../errors.ts'
import { openContext, requireKata, UserError, type Context, type GlobalOptions } from './context.ts'

/** `roadmap reset <kata>` / `--all`: the starter comes back; the learner's version is kept as a backup. */
export async function resetCommand(query: string | undefined, opts: GlobalOptions & { all?: boolean }): Promise<ExitCode> {
  const ctx = openContext(opts)
  if (!query && !opts.all) throw new UserError('name a kata (roadmap reset <kata>) or use --all')
  const katas = opts.all ? ctx.catalog.katas : [requireKata(ctx, query!)]
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const store = new ProgressStore(ctx.root, ctx.track)
  for (const kata of katas) {
    resetKata(ctx, kata, stamp)
    if (store.clearCheckOff(kata.id)) {
      ctx.out.line(messages(ctx.lang).resetCleared(kata.id))
    }
  }
  return EXIT.ok
}

function resetKata(ctx: Context, kata: Kata, stamp: string) {
  const m = messages(ctx.lang)
  for (const file of learnerFiles(exercisesTarget(ctx.catalog), kata)) {
    let starter: string
    try {
      starter = pristineStarter(ctx.root, file)
    } catch (err) {
      if (err instanceof StarterUnavailableError) throw new UserError(err.message)
      throw err
    }
    const rel = relative(ctx.root, file)
    const backup = join(ctx.root, '.roadmap', 'backups', stamp, rel)
    if (existsSync(file)) {
      mkdirSync(dirname(backup), { recursive: true })
      copyFileSync(file, backup)
    }
    writeFileSync(file, starter)
    ctx.out.line(m.reset(rel, relative(ctx.root, backup)))
  }
}
