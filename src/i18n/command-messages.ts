/**
 * The words of the author and instructor commands (doctor, verify, grade, new) and of
 * plain watch mode. Kept apart from messages.ts, which holds the screen's words; both
 * are reached through `messages(lang)`. Machine-readable output never uses these.
 */
import type { Verdict } from '../results/model.ts'
import type { ServiceSource } from '../services/status.ts'

const ruPlurals = new Intl.PluralRules('ru')
/** The Russian form for a count: 1 упавший тест, 2 упавших теста, 5 упавших тестов. */
const ruCount = (n: number, forms: { one: string; few: string; many: string }) => {
  const rule = ruPlurals.select(n)
  return `${n} ${rule === 'one' ? forms.one : rule === 'few' ? forms.few : forms.many}`
}
const ruSource: Record<ServiceSource, string> = { env: 'из переменной окружения', config: 'из файла настроек', local: 'локальный сервер', container: 'контейнер', embedded: 'встроенный' }
const ruVerdict: Record<Verdict, string> = { pass: 'проходит', fail: 'не проходит', error: 'не запускается', timeout: 'превышено время', oom: 'не хватило памяти', unavailable: 'сервис недоступен' }

export const commandEn = {
  doctor: {
    found: (source: ServiceSource, ms: number) => `(${source}, ${ms} ms)`,
    nodeTooOld: ' — roadmap needs 22.12 or newer (24 preferred)',
    noServerFallback: (tried: string, fallback: string) => `no server answers (${tried}): katas start ${fallback} (installed) when they need it`,
    ownServerFaster: 'a server of your own starts faster:',
    notFound: (tried: string) => `not found: ${tried}`,
    startIt: 'start it:',
    blocks: (n: number, ids: string) => `blocks ${n} kata(s): ${ids}`,
    embeddedMissing: 'not installed',
    embeddedNotNeeded: 'installed (not needed: a PostgreSQL server answers)',
    embeddedUrlWins: 'installed, not used: the PostgreSQL URL you set is used (or reported) instead',
    embeddedUsed: 'installed, and used: no PostgreSQL server answers',
    dockerAnswers: 'answers (Testcontainers can start missing services)',
    dockerMissing: (reason: string) => `${reason} (Testcontainers not used)`,
    cannotPull: (image: string, why: string, service: string) => `Docker answers but cannot pull ${image}: ${why} (a missing ${service} cannot be started in a container; set ROADMAP_IMAGE_${service.toUpperCase()} to a local image, or start the service)`,
    dockerEngine: 'Docker engine',
    noEngine: 'no Docker engine answers',
    catalog: (n: number, problems: number) => `catalog: ${n} katas${problems ? `, ${problems} problem(s) (see above)` : ''}`,
    progress: 'progress',
    noneYet: ' (none yet)',
  },
  verify: {
    brokenChapter: 'this chapter has broken catalog entries (listed above): fix them first',
    badRepeat: (got: string | undefined) => `--repeat takes a whole number from 1 to 100 (got "${got}")`,
    notChecked: (id: string, why: string) => `${id}: not checked: ${why}`,
    topics: (covered: number, total: number, missing: string[]) => `Topics covered: ${covered}/${total}${missing.length ? ` (not yet: ${missing.join(', ')})` : ''}`,
    slowest: (list: string) => `Slowest: ${list}`,
    mutants: (killed: number, total: number, repeat: number, survived: number) =>
      `Mutants: ${killed}/${total} rejected${repeat > 1 ? ` on each of ${repeat} runs` : ''}${survived ? `, ${survived} survived` : ''}`,
    totals: (sound: number, broken: number, skipped: number, seconds: string) => `${sound} sound, ${broken} broken, ${skipped} not checked, in ${seconds} s`,
    solution: (verdict: Verdict, passed: number, total: number) => `solution ${verdict} ${passed}/${total}`,
    starter: (verdict: Verdict, passed: number, total: number) => `starter ${verdict} ${passed}/${total}`,
    mutantsOf: (killed: number, total: number) => `mutants ${killed}/${total} rejected`,
    alternatives: (held: number, total: number) => `alternatives ${held}/${total} pass`,
  },
  grade: {
    badMinScore: '--min-score is a percentage from 0 to 100',
    noExercises: (dir: string) => `${dir} has no exercises/ folder: grade takes a submission laid out like this repository`,
    score: (score: number, max: number, pct: string, min: number, out: string) => `Score: ${score}/${max} (${pct}%), minimum ${min}%. Reports: ${out}/results.json, junit.xml`,
    noSubmissions: (folder: string) => `${folder} holds no submissions: expected one sub-folder per student, each with an exercises/ folder`,
    notGraded: '  (not graded: a service was missing)',
    gradebook: (out: string) => `Gradebook: ${out}/gradebook.html, gradebook.csv, gradebook.json`,
    noIsolationTools: 'this system lacks unshare/setpriv (util-linux) or is not Linux',
    notRoot: 'grade is not running as root, so it cannot run graded code as a user of its own',
    unreadable: (node: string, root: string) => `other users cannot read Node (${node}) or the checkout (${root}): make them world-readable (chmod -R o+rX), e.g. check out outside /root`,
    refuses: (why: string) =>
      `grade refuses to run graded code as its own user: ${why}. Run it as root (in CI: sudo -E env "PATH=$PATH" npx roadmap grade …), or, to grade your own code on your own machine, pass --unsafe-same-user (or set ROADMAP_UNSAFE_SAME_USER=1): graded code then runs as you and can read everything you can.`,
    unsafeWarning: (asRoot: boolean, why: string) =>
      `warning: --unsafe-same-user: graded code runs as ${asRoot ? 'root' : 'you'} (${why}); it can read your environment, the solutions and other files of yours. Never use this to grade someone else's code.`,
  },
  newKata: {
    created: (id: string) => `Created ${id}:`,
    nextSteps: 'Next steps:',
    step1: (id: string) => `  1. npx roadmap verify --kata ${id}     # green already: the template is sound`,
    step2: '  2. write the suite (kata.test.ts), then the solution, until the solution passes',
    step3: '  3. cut the solution down to a starter that compiles and fails with a TODO message in both languages ("TODO: …\\nTODO(ru): …")',
    step4: '  4. fill kata.yaml (titles, topics, services, hints) and both READMEs',
    step5: (id: string) => `  5. npx roadmap verify --kata ${id} && npx roadmap run ${id}   # what a learner sees`,
  },
  run: {
    moreFailing: (n: number) => `… ${n} more failing`,
  },
  watch: {
    notFound: (label: string, fix: string, blocked: string[]) => `${label} not found: start it with \`${fix}\`. Blocks: ${blocked.join(', ') || 'no kata'}`,
    watching: (ms: number) => `Watching exercises/ (first verdict ${ms} ms after launch). Save a file to rerun; Ctrl+C to quit.`,
  },
}

export const commandRu: typeof commandEn = {
  doctor: {
    found: (source, ms) => `(${ruSource[source]}, ${ms} мс)`,
    nodeTooOld: ' — нужна версия 22.12 или новее (лучше 24)',
    noServerFallback: (tried, fallback) => `сервер не отвечает (${tried}): каты сами запустят ${fallback} (установлен), когда он понадобится`,
    ownServerFaster: 'собственный сервер запускается быстрее:',
    notFound: (tried) => `не найден: ${tried}`,
    startIt: 'запустите:',
    blocks: (n, ids) => `без него не запустить кат: ${n} (${ids})`,
    embeddedMissing: 'не установлен',
    embeddedNotNeeded: 'установлен (не нужен: сервер PostgreSQL отвечает)',
    embeddedUrlWins: 'установлен, но не используется: вместо него берётся (или проверяется) заданный вами адрес PostgreSQL',
    embeddedUsed: 'установлен и используется: сервер PostgreSQL не отвечает',
    dockerAnswers: 'отвечает (Testcontainers может запустить недостающие сервисы)',
    dockerMissing: (reason) => `${reason} (Testcontainers не используется)`,
    cannotPull: (image, why, service) => `Docker отвечает, но не может скачать ${image}: ${why} (недостающий ${service} не запустить в контейнере; укажите локальный образ в ROADMAP_IMAGE_${service.toUpperCase()} или запустите сервис)`,
    dockerEngine: 'Docker',
    noEngine: 'Docker не отвечает',
    catalog: (n, problems) => `каталог: ${ruCount(n, { one: 'ката', few: 'каты', many: 'кат' })}${problems ? `, ошибок: ${problems} (см. выше)` : ''}`,
    progress: 'прогресс',
    noneYet: ' (пока нет)',
  },
  verify: {
    brokenChapter: 'в этой главе есть ошибки каталога (перечислены выше): сначала исправьте их',
    badRepeat: (got) => `--repeat принимает целое число от 1 до 100 (передано «${got}»)`,
    notChecked: (id, why) => `${id}: не проверена: ${why}`,
    topics: (covered, total, missing) => `Покрыто тем: ${covered}/${total}${missing.length ? ` (ещё не покрыты: ${missing.join(', ')})` : ''}`,
    slowest: (list) => `Самые медленные: ${list}`,
    mutants: (killed, total, repeat, survived) => `Мутанты: отклонено ${killed}/${total}${repeat > 1 ? ` в каждом из ${repeat} прогонов` : ''}${survived ? `, выжило: ${survived}` : ''}`,
    totals: (sound, broken, skipped, seconds) => `исправны: ${sound}, сломаны: ${broken}, не проверены: ${skipped}; за ${seconds.replace('.', ',')} с`,
    solution: (verdict, passed, total) => `решение ${ruVerdict[verdict]} ${passed}/${total}`,
    starter: (verdict, passed, total) => `заготовка ${ruVerdict[verdict]} ${passed}/${total}`,
    mutantsOf: (killed, total) => `мутантов отклонено: ${killed}/${total}`,
    alternatives: (held, total) => `альтернативных решений проходит: ${held}/${total}`,
  },
  grade: {
    badMinScore: '--min-score задаётся в процентах, от 0 до 100',
    noExercises: (dir) => `в ${dir} нет папки exercises/: grade принимает работу, устроенную так же, как этот репозиторий`,
    score: (score, max, pct, min, out) => `Баллы: ${score}/${max} (${pct} %), нужно не меньше ${min} %. Отчёты: ${out}/results.json, junit.xml`,
    noSubmissions: (folder) => `в ${folder} нет работ: ожидается по подпапке на студента, в каждой папка exercises/`,
    notGraded: '  (не оценена: не хватило сервиса)',
    gradebook: (out) => `Ведомость: ${out}/gradebook.html, gradebook.csv, gradebook.json`,
    noIsolationTools: 'в системе нет unshare/setpriv (util-linux) или это не Linux',
    notRoot: 'grade запущен не от root и не может запустить проверяемый код от отдельного пользователя',
    unreadable: (node, root) => `другие пользователи не могут прочитать Node (${node}) или рабочую копию (${root}): откройте их на чтение всем (chmod -R o+rX), например разместите копию вне /root`,
    refuses: (why) =>
      `grade не станет запускать проверяемый код от своего же пользователя: ${why}. Запустите его от root (в CI: sudo -E env "PATH=$PATH" npx roadmap grade …) или, чтобы проверить собственный код на своей машине, передайте --unsafe-same-user (или задайте ROADMAP_UNSAFE_SAME_USER=1): тогда проверяемый код работает от вашего имени и может читать всё, что можете вы.`,
    unsafeWarning: (asRoot, why) =>
      `внимание: --unsafe-same-user: проверяемый код работает от ${asRoot ? 'root' : 'вашего имени'} (${why}); он может прочитать ваше окружение, решения и другие ваши файлы. Никогда не проверяйте так чужой код.`,
  },
  newKata: {
    created: (id) => `Создана ката ${id}:`,
    nextSteps: 'Что дальше:',
    step1: (id) => `  1. npx roadmap verify --kata ${id}     # уже зелёная: шаблон исправен`,
    step2: '  2. напишите набор тестов (kata.test.ts), затем решение, пока оно не пройдёт',
    step3: '  3. сократите решение до заготовки, которая компилируется и падает с сообщением TODO на двух языках ("TODO: …\\nTODO(ru): …")',
    step4: '  4. заполните kata.yaml (названия, темы, сервисы, подсказки) и оба README',
    step5: (id) => `  5. npx roadmap verify --kata ${id} && npx roadmap run ${id}   # что увидит ученик`,
  },
  run: {
    moreFailing: (n) => `… и ещё ${ruCount(n, { one: 'упавший тест', few: 'упавших теста', many: 'упавших тестов' })}`,
  },
  watch: {
    notFound: (label, fix, blocked) => `${label} не найден: запустите \`${fix}\`. Без него не запустить: ${blocked.join(', ') || 'ни одной каты'}`,
    watching: (ms) => `Следим за exercises/ (первый вердикт через ${ms} мс после запуска). Сохраните файл, чтобы перезапустить проверку; Ctrl+C — выход.`,
  },
}
