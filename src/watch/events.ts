import type { KataState } from '../progress/record.ts'
import type { KataResult } from '../results/model.ts'
import type { ServiceStatus } from '../services/status.ts'

/** Everything the watch engine tells its surfaces (Ink or plain lines), in one union. */
export type EngineEvent =
  | { type: 'starting'; what: 'runner' | 'services' }
  | { type: 'ready'; startupMs: number }
  | { type: 'services'; services: ServiceStatus[] }
  | { type: 'focus'; id: string | undefined }
  | { type: 'run-start'; id: string; reason: 'start' | 'save' | 'rerun' | 'focus' | 'check' }
  | { type: 'result'; result: KataResult; state: KataState }
  | { type: 'check-progress'; done: number; total: number; failed: number }
  | { type: 'check-done'; passed: number; total: number; chapters: { id: string; passed: number; total: number }[] }
  | { type: 'error'; message: string }
  /** Saves are no longer seen: the surface tells the learner to try --poll. */
  | { type: 'watcher-error'; reason: string }

export type EngineListener = (event: EngineEvent) => void
