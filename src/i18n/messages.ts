import type { Verdict } from '../results/model.ts'
import type { Lang } from './lang.ts'

/** Interface strings. Kata texts live in the catalog; these are the harness's own words. */
const en = {
  verdict: {
    pass: 'passed',
    fail: 'failed',
    error: 'could not run',
    timeout: 'timed out',
    unavailable: 'service unavailable',
  } satisfies Record<Verdict, string>,
  notTried: 'not tried',
  regressed: 'regressed',
  tests: (passed: number, total: number) => `${passed}/${total} tests`,
  output: 'Your output',
  edit: 'Edit',
  hintOf: (i: number, n: number) => `Hint ${i}/${n}`,
  noMoreHints: 'That was the last hint. The statement and the failing test say the rest.',
  allDone: 'Every kata passed. Well done!',
  current: 'Current kata',
  progress: (p: number, t: number) => `${p}/${t} katas passed`,
  reset: (file: string, backup: string) => `Restored the starter of ${file}; your version is kept in ${backup}`,
  unknownKata: (id: string, near: string[]) => `No kata "${id}".${near.length ? ` Did you mean: ${near.join(', ')}?` : ''} See \`roadmap list\`.`,
  runWith: (id: string) => `Run it: roadmap run ${id}`,
}

const ru: typeof en = {
  verdict: {
    pass: 'пройдена',
    fail: 'не пройдена',
    error: 'не запускается',
    timeout: 'превышено время',
    unavailable: 'сервис недоступен',
  },
  notTried: 'не начата',
  regressed: 'сломана снова',
  tests: (passed, total) => `тестов пройдено: ${passed}/${total}`,
  output: 'Вывод вашего кода',
  edit: 'Править',
  hintOf: (i, n) => `Подсказка ${i}/${n}`,
  noMoreHints: 'Это была последняя подсказка. Остальное подскажут условие и упавший тест.',
  allDone: 'Все каты пройдены. Отличная работа!',
  current: 'Текущая ката',
  progress: (p, t) => `пройдено кат: ${p}/${t}`,
  reset: (file, backup) => `Заготовка ${file} восстановлена; ваша версия сохранена в ${backup}`,
  unknownKata: (id, near) => `Каты «${id}» нет.${near.length ? ` Возможно, вы имели в виду: ${near.join(', ')}?` : ''} Список: \`roadmap list\`.`,
  runWith: (id) => `Запустить: roadmap run ${id}`,
}

export type Messages = typeof en
export const messages = (lang: Lang): Messages => (lang === 'ru' ? ru : en)
