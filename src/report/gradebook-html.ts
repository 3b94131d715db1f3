import type { Gradebook } from './gradebook.ts'
import { verdictMark } from './style.ts'

const esc = (s: string | number) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

/**
 * One self-contained page (no network, no assets): a sortable table per student with
 * chapter totals, and a sortable table per student and kata. Click a header to sort.
 */
export function gradebookHtml(book: Gradebook): string {
  const summary = `<table class="sortable"><thead><tr><th>student</th>${book.chapters.map((c) => `<th title="${esc(c.title)}">${esc(c.id)}</th>`).join('')}<th>total</th><th>%</th></tr></thead><tbody>${book.students
    .map((s) => `<tr><td>${esc(s.student)}</td>${book.chapters.map((c) => `<td data-v="${s.chapters[c.id]?.score ?? 0}">${s.chapters[c.id]?.score ?? 0}/${s.chapters[c.id]?.max ?? 0}</td>`).join('')}<td data-v="${s.score}">${s.score}/${s.maxScore}</td><td data-v="${s.percent}">${s.percent}</td></tr>`)
    .join('')}</tbody></table>`
  const detail = `<table class="sortable"><thead><tr><th>student</th>${book.katas.map((k) => `<th>${esc(k.id)}</th>`).join('')}</tr></thead><tbody>${book.students
    .map((s) => `<tr><td>${esc(s.student)}</td>${book.katas.map((k) => {
      const g = s.katas[k.id]
      return g ? `<td class="${esc(g.verdict)}" data-v="${g.score}" title="${esc(g.verdict)}">${verdictMark[g.verdict]} ${g.score}/${g.max}</td>` : '<td data-v="-1">–</td>'
    }).join('')}</tr>`)
    .join('')}</tbody></table>`
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>roadmap gradebook</title>
<style>
body{font:14px system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin:1rem 0}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:right}td:first-child,th:first-child{text-align:left}
th{cursor:pointer;background:#f4f4f4;position:sticky;top:0}th:hover{background:#e8e8e8}
.pass{background:#e6f6e6}.fail{background:#fbe9e9}.error,.oom{background:#f6e0f6}.timeout{background:#fff4d6}.unavailable{background:#eee}
</style></head><body>
<h1>roadmap gradebook</h1><p>${book.students.length} students · generated ${esc(book.generatedAt)}</p>
<h2>Per student</h2>${summary}<h2>Per student and kata</h2>${detail}
<script>
for (const table of document.querySelectorAll('table.sortable')) {
  table.querySelectorAll('th').forEach((th, col) => th.addEventListener('click', () => {
    const body = table.tBodies[0]; const asc = th.dataset.dir !== 'asc'; th.dataset.dir = asc ? 'asc' : 'desc'
    const key = (tr) => { const td = tr.children[col]; const v = td.dataset.v; return v !== undefined ? Number(v) : td.textContent.toLowerCase() }
    [...body.rows].sort((a, b) => { const x = key(a), y = key(b); return (x > y ? 1 : x < y ? -1 : 0) * (asc ? 1 : -1) }).forEach((r) => body.appendChild(r))
  }))
}
</script></body></html>
`
}
