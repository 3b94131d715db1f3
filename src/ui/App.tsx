import { Box, Text, useApp, useInput, useWindowSize } from 'ink'
import { useEffect, useReducer, useRef } from 'react'
import { text, type Lang } from '../i18n/lang.ts'
import { messages } from '../i18n/messages.ts'
import { kataState } from '../progress/record.ts'
import type { ProgressView } from '../progress/store.ts'
import type { TestOutcome } from '../results/model.ts'
import type { WatchEngine } from '../watch/engine.ts'
import { Footer } from './components/Footer.tsx'
import { KataList } from './components/KataList.tsx'
import { failingTests, KataPanel } from './components/KataPanel.tsx'
import { Overview, overviewColumns } from './components/Overview.tsx'
import { trackMessages } from '../i18n/track-messages.ts'
import { StatusLine } from './components/StatusLine.tsx'
import { initialState, reduce } from './state.ts'

/** What the screen needs of the engine: its events, its data, and the commands keys send. */
export type EngineApi = Pick<WatchEngine, 'on' | 'catalog' | 'focus' | 'next' | 'rerun' | 'checkAll' | 'seeHint'> & { store: ProgressView }

interface Props {
  engine: EngineApi
  lang: Lang
  /** Called once when the learner quits, before Ink unmounts. */
  onQuit?: () => void
}

/** How far the open diff of the failing test on screen can scroll. */
const diffLines = (failing: TestOutcome[], i: number) => (failing[Math.min(i, failing.length - 1)]?.diff ?? '').split('\n').length

/** The watch screen: the kata in focus, the roadmap beside it, keys in the footer. */
export function App({ engine, lang, onQuit }: Props) {
  const [state, dispatch] = useReducer(reduce, undefined, initialState)
  const { exit } = useApp()
  const { columns, rows } = useWindowSize()
  const m = messages(lang)
  const { catalog, store } = engine

  useEffect(() => engine.on((event) => dispatch({ type: 'engine', event })), [engine])
  // Keys can arrive several per tick (a pasted "jjj⏎"): the cursor and view live in refs
  // so each key sees the effect of the one before it, not the last render's state.
  const cursor = useRef(0)
  const view = useRef(state.view)
  const moveCursor = (to: number) => {
    cursor.current = Math.max(0, Math.min(catalog.katas.length - 1, to))
    dispatch({ type: 'cursor', to: cursor.current })
  }
  const setView = (v: 'kata' | 'list') => {
    view.current = v
    dispatch({ type: 'view', view: v })
  }

  const kata = state.focusId ? catalog.byId.get(state.focusId) : undefined
  const result = kata ? state.results[kata.id] : undefined
  const canNext = !!kata && kataState(store, kata.id) === 'passed'
  const overviewWidth = overviewColumns(catalog, lang)
  const wide = columns >= overviewWidth + 60
  // Keep the live region inside the screen: Ink cannot redraw what scrolled away.
  const bodyRows = Math.max(8, rows - 6 - state.services.filter((s) => s.state === 'missing').length - (state.check?.chapters ? catalog.chapters.length + 1 : 0))

  useInput((input, key) => {
    if (input === 'q' || (key.ctrl && input === 'c')) {
      onQuit?.()
      exit()
      return
    }
    if (view.current === 'list') {
      if (key.upArrow || input === 'k') moveCursor(cursor.current - 1)
      else if (key.downArrow || input === 'j') moveCursor(cursor.current + 1)
      else if (key.pageUp) moveCursor(cursor.current - 10)
      else if (key.pageDown) moveCursor(cursor.current + 10)
      else if (key.return) {
        const target = catalog.katas[cursor.current]
        if (target) engine.focus(target.id)
        setView('kata')
      } else if (key.escape || input === 'l') setView('kata')
      return
    }
    const failing = failingTests(result)
    if (state.diffOpen && (key.upArrow || input === 'k')) dispatch({ type: 'scroll', delta: -1, max: diffLines(failing, state.failIndex) })
    else if (state.diffOpen && (key.downArrow || input === 'j')) dispatch({ type: 'scroll', delta: 1, max: diffLines(failing, state.failIndex) })
    else if (state.diffOpen && (key.pageUp || key.pageDown)) dispatch({ type: 'scroll', delta: key.pageUp ? -bodyRows : bodyRows, max: diffLines(failing, state.failIndex) })
    else if (key.leftArrow || input === '[') dispatch({ type: 'failing', delta: -1, count: failing.length })
    else if (key.rightArrow || input === ']') dispatch({ type: 'failing', delta: 1, count: failing.length })
    else if (input === 'd' || (key.escape && state.diffOpen)) {
      if (state.diffOpen || failing[state.failIndex]?.diff) dispatch({ type: 'diff' })
    } else if (input === 'h' && kata) {
      const shown = Math.min(state.hintsShown + 1, kata.hints.length)
      dispatch({ type: 'hint', max: kata.hints.length })
      engine.seeHint(kata.id, shown)
    } else if (input === 'n' && canNext) engine.next()
    else if (input === 'r') engine.rerun()
    else if (input === 'c') void engine.checkAll()
    else if (input === 'l') {
      moveCursor(kata?.index ?? 0)
      setView('list')
    }
  })

  const passed = catalog.katas.filter((k) => kataState(store, k.id) === 'passed').length
  const chapter = kata ? catalog.chapters.find((c) => c.id === kata.chapter) : undefined

  return (
    <Box flexDirection="column" width={columns}>
      <Text>
        <Text bold color="cyan">
          roadmap
        </Text>
        <Text dimColor>
          {' '}
          · {trackMessages(lang).header(catalog.track ?? 'ts')} · {m.progress(passed, catalog.katas.length)}
          {state.startupMs !== undefined ? ` · ${m.ui.ready(state.startupMs)}` : ''}
        </Text>
      </Text>
      <StatusLine state={state} catalog={catalog} lang={lang} />
      {state.view === 'list' ? (
        <Box flexDirection="column" marginTop={1}>
          <KataList catalog={catalog} store={store} lang={lang} cursor={state.listCursor} rows={bodyRows} />
        </Box>
      ) : (
        <Box marginTop={1}>
          <Box flexDirection="column" flexGrow={1}>
            {kata && chapter ? (
              <KataPanel
                kata={kata}
                chapterTitle={text(chapter.title, lang)}
                root={catalog.root}
                result={result}
                running={state.running === kata.id}
                lang={lang}
                hintsShown={state.hintsShown}
                rows={bodyRows}
                failIndex={state.failIndex}
                diffOpen={state.diffOpen}
                diffScroll={state.diffScroll}
              />
            ) : state.phase === 'ready' ? (
              <Text color="green">{m.allDone}</Text>
            ) : null}
          </Box>
          {wide ? (
            <Box flexDirection="column" marginLeft={2} width={overviewWidth} flexShrink={0}>
              <Text bold>{m.ui.roadmap}</Text>
              <Overview catalog={catalog} store={store} lang={lang} focusChapter={kata?.chapter} />
            </Box>
          ) : null}
        </Box>
      )}
      <Box marginTop={1}>
        <Footer lang={lang} view={state.view} canNext={canNext} failing={failingTests(result).length} diffOpen={state.diffOpen} />
      </Box>
    </Box>
  )
}
