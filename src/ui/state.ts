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
  check?: { done: number; total: number; failed: number; finished: boolean; chapters?: { id: string; passed: number; total: number }[] }
  /** Which failing test of the focused kata is on screen (0 = the first). */
  failIndex: number
  /** The diff of that test opened in full, and how far it is scrolled. */
  diffOpen: boolean
  diffScroll: number
  error?: string
  /** Why saves are no longer seen, when the file watcher failed. */
  watcherError?: string
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
  failIndex: 0,
  diffOpen: false,
  diffScroll: 0,
})

export type UiAction =
  | { type: 'engine'; event: EngineEvent }
  | { type: 'view'; view: View }
  | { type: 'cursor'; to: number }
  | { type: 'hint'; max: number }
  /** Move to the previous or next failing test (wraps around). */
  | { type: 'failing'; delta: number; count: number }
  | { type: 'diff' }
  | { type: 'scroll'; delta: number; max: number }

export function reduce(state: UiState, action: UiAction): UiState {
  switch (action.type) {
    case 'view':
      return { ...state, view: action.view }
    case 'cursor':
      return { ...state, listCursor: action.to }
    case 'hint':
      return { ...state, hintsShown: Math.min(state.hintsShown + 1, action.max) }
    case 'failing':
      return action.count ? { ...state, failIndex: (state.failIndex + action.delta + action.count) % action.count, diffScroll: 0 } : state
    case 'diff':
      return { ...state, diffOpen: !state.diffOpen, diffScroll: 0 }
    case 'scroll':
      return { ...state, diffScroll: Math.max(0, Math.min(action.max, state.diffScroll + action.delta)) }
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
      return e.id === state.focusId ? state : { ...state, focusId: e.id, hintsShown: 0, failIndex: 0, diffOpen: false, diffScroll: 0 }
    case 'run-start':
      return { ...state, running: e.id, starting: new Set([...state.starting].filter((s) => s !== 'runner')) }
    case 'result': {
      const results = { ...state.results, [e.result.id]: e.result }
      if (e.result.id !== state.focusId) return { ...state, running: undefined, results, progressTick: state.progressTick + 1 }
      // A new verdict starts from its first failing test; a pass clears the hints.
      const hintsShown = e.result.verdict === 'pass' ? 0 : state.hintsShown
      return { ...state, running: undefined, results, progressTick: state.progressTick + 1, failIndex: 0, diffOpen: false, diffScroll: 0, hintsShown }
    }
    case 'check-progress':
      return { ...state, check: { done: e.done, total: e.total, failed: e.failed, finished: false } }
    case 'check-done':
      return { ...state, check: state.check && { ...state.check, finished: true, chapters: e.chapters } }
    case 'error':
      return { ...state, error: e.message }
    case 'watcher-error':
      return { ...state, watcherError: e.reason }
  }
}
