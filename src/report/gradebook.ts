import type { Catalog } from '../catalog/types.ts'
import type { Verdict } from '../results/model.ts'
import type { GradeReport } from '../results/submission.ts'

/** One student's line of the gradebook. */
export interface StudentGrade {
  student: string
  score: number
  maxScore: number
  percent: number
  status: GradeReport['status']
  chapters: Record<string, { score: number; max: number }>
  katas: Record<string, { verdict: Verdict; score: number; max: number }>
}

export interface Gradebook {
  generatedAt: string
  chapters: { id: string; title: string }[]
  katas: { id: string; chapter: string; points: number }[]
  students: StudentGrade[]
}

const pct = (s: number, m: number) => (m ? Math.round((1000 * s) / m) / 10 : 0)

export function gradebook(catalog: Catalog, graded: { student: string; report: GradeReport }[]): Gradebook {
  const kataIds = new Set(graded.flatMap((g) => g.report.results.map((r) => r.id)))
  const katas = catalog.katas.filter((k) => kataIds.has(k.id))
  const chapters = catalog.chapters.filter((c) => c.katas.some((k) => kataIds.has(k.id)))
  return {
    generatedAt: new Date().toISOString(),
    chapters: chapters.map((c) => ({ id: c.id, title: c.title.en })),
    katas: katas.map((k) => ({ id: k.id, chapter: k.chapter, points: k.points })),
    students: graded.map(({ student, report }) => {
      const byChapter: StudentGrade['chapters'] = Object.fromEntries(chapters.map((c) => [c.id, { score: 0, max: 0 }]))
      const byKata: StudentGrade['katas'] = {}
      for (const r of report.results) {
        const ch = catalog.byId.get(r.id)?.chapter ?? '?'
        const slot = (byChapter[ch] ??= { score: 0, max: 0 })
        slot.score += r.score
        slot.max += r.points
        byKata[r.id] = { verdict: r.verdict, score: r.score, max: r.points }
      }
      return { student, score: report.score, maxScore: report.maxScore, percent: pct(report.score, report.maxScore), status: report.status, chapters: byChapter, katas: byKata }
    }),
  }
}

const csvCell = (v: string | number) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v))

/** Student × chapter, with totals: what a teacher pastes into a spreadsheet. */
export function gradebookCsv(book: Gradebook): string {
  const header = ['student', ...book.chapters.map((c) => c.id), 'total', 'max', 'percent']
  const rows = book.students.map((s) => [s.student, ...book.chapters.map((c) => s.chapters[c.id]?.score ?? 0), s.score, s.maxScore, s.percent])
  return `${[header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n')}\n`
}
