import type { Lang } from './lang.ts'

/** catalog/track.ts's Track, spelled here: i18n imports nothing from the catalog (the catalog imports i18n). */
type Track = 'ts' | 'go'

const names: Record<Track, string> = { ts: 'TypeScript', go: 'Go' }

/** What the commands say about tracks, in the learner's language. */
const en = {
  name: (track: Track) => names[track],
  label: 'track',
  header: (track: Track) => `${names[track]} track`,
  notInTrack: (id: string, track: Track, offered: string[]) =>
    `Kata "${id}" has no ${names[track]} version.${offered.length ? ` The ${names[track]} track has: ${offered.slice(0, 8).join(', ')}${offered.length > 8 ? ', …' : ''}.` : ''} Switch with --track ts.`,
  chapterNotInTrack: (id: string, track: Track) => `Chapter "${id}" has no ${names[track]} katas yet.`,
  trackLine: (track: Track, file: string | undefined) =>
    `track: ${names[track]}${file ? ` (remembered in ${file}` : ' (the default'}; --track ts|go changes it)`,
  goMissing: (needed: string) => `Go not found: install Go ${needed}+ from go.dev/dl or your package manager; roadmap looks in PATH and /usr/local/go/bin`,
  goFound: (version: string, path: string) => `Go ${version} (${path})`,
  goTooOld: (needed: string) => `: the Go katas need Go ${needed}+ (their go.mod); install it from go.dev/dl or your package manager`,
  goNotAnswering: 'does not answer `go env GOVERSION`',
  goOnlyForGo: 'only the Go track needs it',
}

const ru: typeof en = {
  name: (track) => names[track],
  label: 'трек',
  header: (track) => `трек ${names[track]}`,
  notInTrack: (id, track, offered) =>
    `У каты «${id}» нет версии на ${names[track]}.${offered.length ? ` В треке ${names[track]} есть: ${offered.slice(0, 8).join(', ')}${offered.length > 8 ? ', …' : ''}.` : ''} Переключиться: --track ts.`,
  chapterNotInTrack: (id, track) => `В главе «${id}» пока нет кат на ${names[track]}.`,
  trackLine: (track, file) => `трек: ${names[track]}${file ? ` (запомнен в ${file}` : ' (по умолчанию'}; сменить: --track ts|go)`,
  goMissing: (needed) => `Go не найден: установите Go ${needed}+ с go.dev/dl или из менеджера пакетов; roadmap ищет его в PATH и в /usr/local/go/bin`,
  goFound: (version, path) => `Go ${version} (${path})`,
  goTooOld: (needed) => `: катам на Go нужен Go ${needed}+ (так указано в их go.mod); установите его с go.dev/dl или из менеджера пакетов`,
  goNotAnswering: 'не отвечает на `go env GOVERSION`',
  goOnlyForGo: 'нужен только для трека Go',
}

export type TrackMessages = typeof en
export const trackMessages = (lang: Lang): TrackMessages => (lang === 'ru' ? ru : en)
