import { z } from 'zod'

const Verdict = z.enum(['pass', 'fail', 'error', 'timeout', 'oom', 'unavailable'])

export const KataProgress = z
  .object({
    /** When the kata first passed; kept even if it breaks later (then it shows as regressed). */
    passedAt: z.string().optional(),
    lastVerdict: Verdict.optional(),
    lastRunAt: z.string().optional(),
    /** How many hints the learner has opened. */
    hintsSeen: z.number().int().min(0).default(0),
  })
  .strict()

/** One track's progress: the kata the learner is on and each kata's state. */
export const TrackProgress = z
  .object({
    current: z.string().optional(),
    katas: z.record(z.string(), KataProgress).default({}),
  })
  .strict()

/**
 * The TypeScript track at the top level (a file written before tracks existed reads as
 * it), the other tracks under `tracks`.
 */
export const Progress = z
  .object({
    version: z.literal(1),
    current: z.string().optional(),
    katas: z.record(z.string(), KataProgress).default({}),
    tracks: z.object({ go: TrackProgress.optional() }).strict().optional(),
  })
  .strict()

export type Progress = z.infer<typeof Progress>
export type KataProgress = z.infer<typeof KataProgress>
export type TrackProgress = z.infer<typeof TrackProgress>
export const emptyProgress = (): Progress => ({ version: 1, katas: {} })
