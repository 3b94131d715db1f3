import { watch, type FSWatcher } from 'chokidar'

export interface FileWatcherOptions {
  /** Poll instead of native events: for WSL, NFS, bind mounts. */
  poll?: boolean
  /** Quiet time that closes a burst of events into one change. */
  burstMs?: number
  /** The watcher itself failed (too many files for inotify, a mount without events). */
  onError?: (err: Error) => void
}

/**
 * chokidar over the learner's exercises, with bursts coalesced: editors that save by
 * rename (vim, JetBrains) or by truncate-and-write emit several events per save, and
 * the learner gets one run for it.
 */
export class FileWatcher {
  private watcher: FSWatcher
  private pending = new Set<string>()
  private timer: NodeJS.Timeout | undefined

  constructor(dir: string, onChange: (files: string[]) => void, opts: FileWatcherOptions = {}) {
    const burst = opts.burstMs ?? 6
    this.watcher = watch(dir, {
      ignoreInitial: true,
      atomic: true,
      backend: opts.poll ? 'polling' : 'auto',
      pollingInterval: 100,
      ignored: (p) => /(^|[/\\])(node_modules|\.git)([/\\]|$)|~$|\.sw[px]$|\.tmp$|4913$/.test(p),
    })
    // Without a listener an 'error' event would crash the process.
    this.watcher.on('error', (err) => opts.onError?.(err instanceof Error ? err : new Error(String(err))))
    this.watcher.on('all', (event, path) => {
      if (event !== 'add' && event !== 'change') return
      this.pending.add(path)
      clearTimeout(this.timer)
      this.timer = setTimeout(() => {
        const files = [...this.pending]
        this.pending.clear()
        onChange(files)
      }, burst)
    })
  }

  ready(): Promise<void> {
    return new Promise((resolve) => this.watcher.once('ready', () => resolve()))
  }

  async close() {
    clearTimeout(this.timer)
    await this.watcher.close()
  }
}
