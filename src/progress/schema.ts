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

export const Progress = z
  .object({
    version: z.literal(1),
    current: z.string().optional(),
    katas: z.record(z.string(), KataProgress).default({}),
  })
  .strict()

export type Progress = z.infer<typeof Progress>
export type KataProgress = z.infer<typeof KataProgress>
export const emptyProgress = (): Progress => ({ version: 1, katas: {} })
