import type { Lang } from './lang.ts'

/** What `verify` finds wrong with a kata, in the author's language. */
const en = {
  solutionFails: (verdict: string, detail: string) => `the solution does not pass (${verdict})${detail}`,
  starterPasses: 'the starter passes its suite: the kata asks nothing of the learner',
  starterHangs: 'the starter hangs: a starter should fail fast with a message, not time out',
  freeTests: (n: number, names: string) => `${n} test(s) pass on the starter too, so they check nothing the learner writes: ${names}`,
  skips: 'the suite skips tests on the solution (.skip/.todo left in?)',
  untranslated: (n: number, titles: string) => `${n} test title(s) have no Russian name in tests.ru.yaml (names:): ${titles}`,
  tooSlow: (ms: number, budget: number) => `the solution takes ${ms} ms of a ${budget} ms budget: raise budgetMs or speed the suite up`,
  tooFewMutants: (n: number, min: number, subtle: boolean) => `${n} mutant(s), at least ${min} needed${subtle ? ' (services or concurrency)' : ''}: add realistic wrong solutions under mutants/`,
  overlay: (kind: 'mutant' | 'alternative', name: string) => `${kind} "${name}"`,
  overlayMissing: (label: string, folder: string) => `${label}: ${folder} is missing or empty`,
  notLearnerFile: (label: string, file: string, files: string) => `${label}: ${file} is not one of the learner's files (${files})`,
  notQuoted: (label: string, about: string) => `${label}: "breaks" is not quoted from README.md: "${about}"`,
  undeclared: (kind: string, name: string) => `${kind}/${name}/ is not declared in kata.yaml (${kind}: - name: ${name})`,
  onRun: (n: number) => ` on run ${n}`,
  survives: (name: string, when: string, mistake: string, about: string) => `mutant "${name}" survives${when}: ${mistake}\n      the statement says: "${about}"`,
  alternativeFails: (name: string, about: string, when: string, verdict: string) => `alternative "${name}" (${about}) fails${when} (${verdict}): a correct design is rejected`,
  templateLeft: (what: string) => `template left in place: ${what}`,
  stillSays: (field: string, value: string) => `${field} still says "${value}"`,
  stillTitled: (readme: string, title: string) => `${readme} is still titled "${title}"`,
  catalog: (field: string, reason: string) => `catalog: ${field}: ${reason}`,
}

const ru: typeof en = {
  solutionFails: (verdict, detail) => `эталонное решение не проходит (${verdict})${detail}`,
  starterPasses: 'заготовка проходит свой набор тестов: ката ничего не требует от ученика',
  starterHangs: 'заготовка зависает: она должна быстро падать с понятным сообщением, а не упираться в лимит времени',
  freeTests: (n, names) => `тестов, которые проходят и на заготовке (значит, ничего не проверяют в коде ученика): ${n}: ${names}`,
  skips: 'набор пропускает тесты на эталонном решении (забыли .skip/.todo?)',
  untranslated: (n, titles) => `названий тестов без русского перевода в tests.ru.yaml (names:): ${n}: ${titles}`,
  tooSlow: (ms, budget) => `эталонное решение занимает ${ms} мс из ${budget} мс: увеличьте budgetMs или ускорьте набор тестов`,
  tooFewMutants: (n, min, subtle) => `мутантов: ${n}, нужно не меньше ${min}${subtle ? ' (сервисы или конкурентность)' : ''}: добавьте в mutants/ правдоподобные ошибочные решения`,
  overlay: (kind, name) => `${kind === 'mutant' ? 'мутант' : 'альтернатива'} «${name}»`,
  overlayMissing: (label, folder) => `${label}: папки ${folder} нет или она пуста`,
  notLearnerFile: (label, file, files) => `${label}: ${file} не входит в файлы ученика (${files})`,
  notQuoted: (label, about) => `${label}: «breaks» не цитата из README.md: «${about}»`,
  undeclared: (kind, name) => `${kind}/${name}/ не объявлен в kata.yaml (${kind}: - name: ${name})`,
  onRun: (n) => ` на ${n}-м прогоне`,
  survives: (name, when, mistake, about) => `мутант «${name}» выживает${when}: ${mistake}\n      в условии сказано: «${about}»`,
  alternativeFails: (name, about, when, verdict) => `альтернатива «${name}» (${about}) не проходит${when} (${verdict}): верное решение отвергнуто`,
  templateLeft: (what) => `остался текст шаблона: ${what}`,
  stillSays: (field, value) => `в ${field} всё ещё «${value}»`,
  stillTitled: (readme, title) => `заголовок ${readme} всё ещё «${title}»`,
  catalog: (field, reason) => `каталог: ${field}: ${reason}`,
}

export type VerifyProblems = typeof en
export const verifyProblems = (lang: Lang): VerifyProblems => (lang === 'ru' ? ru : en)
