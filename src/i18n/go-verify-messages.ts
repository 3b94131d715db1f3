import type { Lang } from './lang.ts'

/** What `verify --track go` finds wrong with a kata's Go track, beyond what verify-messages.ts says for both tracks. */
const en = {
  tooFewMutants: (n: number, min: number) => `${n} Go mutant(s), at least ${min} needed: add realistic wrong solutions under go-mutants/ and declare them in go.mutants`,
  notQuoted: (label: string, about: string) => `${label}: "breaks" is not quoted from go/README.md: "${about}"`,
  noStatement: (file: string) => `${file} is missing or empty: the Go statement exists in English and Russian`,
  undeclared: (folder: string, kind: 'mutant' | 'alternative', name: string) => `${folder}/${name}/ is not declared in kata.yaml (go: ${kind}s: - name: ${name})`,
  goMissing: (why: string) => `not checked: ${why}`,
  tooFewHints: (n: number, min: number) => `${n} Go hint(s), at least ${min} needed: add go: hints: in kata.yaml (the kata's own hints are TypeScript's and are not shown in the Go track)`,
}

const ru: typeof en = {
  tooFewMutants: (n, min) => `Go-мутантов: ${n}, нужно не меньше ${min}: добавьте в go-mutants/ правдоподобные ошибочные решения и объявите их в go.mutants`,
  notQuoted: (label, about) => `${label}: «breaks» не цитата из go/README.md: «${about}»`,
  noStatement: (file) => `${file} нет или он пуст: условие на Go пишется по-английски и по-русски`,
  undeclared: (folder, kind, name) => `${folder}/${name}/ не объявлен в kata.yaml (go: ${kind}s: - name: ${name})`,
  goMissing: (why) => `не проверено: ${why}`,
  tooFewHints: (n, min) => `Подсказок для Go: ${n}, нужно не меньше ${min}: добавьте go: hints: в kata.yaml (подсказки самой каты написаны для TypeScript, в треке Go они не показываются)`,
}

export type GoVerifyProblems = typeof en
export const goVerifyProblems = (lang: Lang): GoVerifyProblems => (lang === 'ru' ? ru : en)
