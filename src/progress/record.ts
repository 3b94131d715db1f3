import type { Catalog } from '../catalog/types.ts'
import type { KataResult } from '../results/model.ts'
import type { ProgressView } from './store.ts'

/** Kata states as the learner sees them. */
export type KataState = 'passed' | 'failed' | 'regressed' | 'not-tried'

export function kataState(store: ProgressView, id: string): KataState {
  const k = store.snapshot.katas[id]
  if (!k?.lastVerdict) return k?.passedAt ? 'passed' : 'not-tried'
  if (k.lastVerdict === 'pass') return 'passed'
  return k.passedAt ? 'regressed' : 'failed'
}

/** The state a kata will have once `r` is recorded, without waiting for the write. */
export function stateAfter(before: KataState, r: KataResult): KataState {
  if (r.target !== 'exercises' || r.verdict === 'unavailable') return before
  if (r.verdict === 'pass') return 'passed'
  return before === 'passed' || before === 'regressed' ? 'regressed' : 'failed'
}

/** The first kata in roadmap order whose last verdict is not a pass. */
export function nextKata(catalog: Catalog, store: ProgressView) {
  return catalog.katas.find((k) => kataState(store, k.id) !== 'passed')
}
