import type { KataResult } from '../results/model.ts'
import type { ServiceStatus } from '../services/status.ts'
import type { EngineEvent } from '../watch/events.ts'

export type View = 'kata' | 'list'

/** Everything the Ink screen shows, folded from engine events and key presses. */
export interface UiState {
  phase: 'starting' | 'ready'
  starting: Set<'runner' | 'services'>
  startupMs?: number
  services: ServiceStatus[]
  focusId?: string
  running?: string
  results: Record<string, KataResult>
  /** Hints revealed on screen for the focused kata. */
  hintsShown: number
  view: View
  listCursor: number
  check?: { done: number; total: number; failed: number; finished: boolean }
  error?: string
  /** Bumped by every result, so views that depend on progress re-read it. */
  progressTick: number
}

export const initialState = (): UiState => ({
  phase: 'starting',
  starting: new Set(),
  services: [],
  results: {},
  hintsShown: 0,
  view: 'kata',
  listCursor: 0,
  progressTick: 0,
})

export type UiAction =
  | { type: 'engine'; event: EngineEvent }
  | { type: 'view'; view: View }
  | { type: 'cursor'; to: number }
  | { type: 'hint'; max: number }

export function reduce(state: UiState, action: UiAction): UiState {
  switch (action.type) {
    case 'view':
      return { ...state, view: action.view }
    case 'cursor':
      return { ...state, listCursor: action.to }
    case 'hint':
      return { ...state, hintsShown: Math.min(state.hintsShown + 1, action.max) }
    case 'engine':
      return onEvent(state, action.event)
  }
}

function onEvent(state: UiState, e: EngineEvent): UiState {
  switch (e.type) {
    case 'starting':
      return { ...state, starting: new Set([...state.starting, e.what]) }
    case 'ready':
      return { ...state, phase: 'ready', starting: new Set(), startupMs: e.startupMs }
    case 'services':
      return { ...state, services: e.services, starting: new Set([...state.starting].filter((s) => s !== 'services')) }
    case 'focus':
      return { ...state, focusId: e.id, hintsShown: e.id === state.focusId ? state.hintsShown : 0 }
    case 'run-start':
      return { ...state, running: e.id, starting: new Set([...state.starting].filter((s) => s !== 'runner')) }
    case 'result':
      return { ...state, running: undefined, results: { ...state.results, [e.result.id]: e.result }, progressTick: state.progressTick + 1 }
    case 'check-progress':
      return { ...state, check: { done: e.done, total: e.total, failed: e.failed, finished: false } }
    case 'check-done':
      return { ...state, check: state.check && { ...state.check, finished: true } }
    case 'error':
      return { ...state, error: e.message }
  }
}
