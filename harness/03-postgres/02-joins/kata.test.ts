import { beforeEach, describe, expect, it } from 'vitest'
import { usePostgres } from '#support/postgres'
import { recordingDb } from '#support/postgres-katas'
import { departmentsWithEmployees, employeesWithDepartment, employeesWithManager } from '@kata/postgres/joins'

const pg = usePostgres()

interface Dept { id: number; name: string }
interface Emp { id: number; name: string; department_id: number | null; manager_id: number | null }

const byNameThenId = (a: { id: number; name: string }, b: { id: number; name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id)

/** The nested results, computed here from the same rows the database holds. */
function expected(depts: Dept[], emps: Emp[]) {
  const dept = new Map(depts.map((d) => [d.id, d]))
  const emp = new Map(emps.map((e) => [e.id, e]))
  const sortedEmps = [...emps].sort((a, b) => a.id - b.id)
  return {
    withDepartment: sortedEmps.filter((e) => e.department_id !== null).map((e) => ({ id: e.id, name: e.name, department: { ...dept.get(e.department_id!)! } })),
    departments: [...depts].sort((a, b) => a.id - b.id).map((d) => ({
      id: d.id,
      name: d.name,
      employees: emps.filter((e) => e.department_id === d.id).sort(byNameThenId).map((e) => ({ id: e.id, name: e.name })),
    })),
    withManager: sortedEmps.map((e) => ({ id: e.id, name: e.name, manager: e.manager_id === null ? null : { id: e.manager_id, name: emp.get(e.manager_id)!.name } })),
  }
}

async function load(depts: Dept[], emps: Emp[]) {
  await pg.pool.query('DROP TABLE IF EXISTS employees, departments')
  await pg.pool.query('CREATE TABLE departments (id int PRIMARY KEY, name text NOT NULL)')
  await pg.pool.query(`CREATE TABLE employees (
    id int PRIMARY KEY, name text NOT NULL,
    department_id int REFERENCES departments, manager_id int REFERENCES employees)`)
  // Insert in a shuffled order so "the order rows happen to be stored in" is not the answer.
  for (const d of [...depts].reverse()) await pg.pool.query('INSERT INTO departments VALUES ($1, $2)', [d.id, d.name])
  await pg.pool.query('INSERT INTO employees SELECT * FROM json_populate_recordset(null::employees, $1)', [JSON.stringify([...emps].reverse())])
}

const small = {
  depts: [
    { id: 1, name: 'Engineering' },
    { id: 2, name: 'Sales' },
    { id: 3, name: 'Legal' },
  ],
  emps: [
    { id: 1, name: 'Olga', department_id: 1, manager_id: null },
    { id: 2, name: 'Ivan', department_id: 1, manager_id: 1 },
    { id: 3, name: 'Anna', department_id: 2, manager_id: 1 },
    { id: 4, name: 'Boris', department_id: 1, manager_id: 2 },
    { id: 5, name: 'Contractor', department_id: null, manager_id: 2 },
    { id: 6, name: 'Anna', department_id: 1, manager_id: 2 },
    { id: 7, name: 'Freelancer', department_id: null, manager_id: null },
    // Two Borises in one department: only ", id" after the name orders them.
    { id: 8, name: 'Boris', department_id: 1, manager_id: 1 },
    { id: 9, name: 'Boris', department_id: 1, manager_id: 8 },
  ],
}

function big() {
  const depts = Array.from({ length: 8 }, (_, i) => ({ id: 10 + i * 3, name: `Dept ${String.fromCharCode(72 - i)}` }))
  const names = ['Mia', 'Leo', 'Ada', 'Zoe', 'Max', 'Eva', 'Ada', 'Kim']
  const emps: Emp[] = []
  for (let i = 0; i < 60; i++) {
    const id = 100 + i * 7
    const inDept = Math.random() < 0.8
    const department_id = inDept ? depts[Math.floor(Math.random() * 6)]!.id : null // the last two stay empty
    const manager_id = i === 0 || Math.random() < 0.2 ? null : emps[Math.floor(Math.random() * emps.length)]!.id
    emps.push({ id, name: `${names[i % names.length]} ${i % 5}`, department_id, manager_id })
  }
  return { depts, emps }
}

const rec = () => recordingDb(pg.pool)

describe('employeesWithDepartment(db): INNER JOIN', () => {
  beforeEach(() => load(small.depts, small.emps))

  it('returns employees that have a department, each with { id, name } of it, ordered by employee id', async () => {
    const r = rec()
    expect(await employeesWithDepartment(r.db), 'employeesWithDepartment(db)').toEqual(expected(small.depts, small.emps).withDepartment)
    expect(r.queries.length, 'queries sent by employeesWithDepartment(db): one JOIN is enough').toBe(1)
  })

  it('works on other data too (60 employees, random departments)', async () => {
    const data = big()
    await load(data.depts, data.emps)
    expect(await employeesWithDepartment(rec().db), 'employeesWithDepartment(db) on 60 random employees').toEqual(expected(data.depts, data.emps).withDepartment)
  })
})

describe('departmentsWithEmployees(db): LEFT JOIN, nested', () => {
  beforeEach(() => load(small.depts, small.emps))

  it('returns every department ordered by id, with employees ordered by name, then id (two Borises in Engineering)', async () => {
    const r = rec()
    const got = await departmentsWithEmployees(r.db)
    expect(got, 'departmentsWithEmployees(db)').toEqual(expected(small.depts, small.emps).departments)
    expect(r.queries.length, 'queries sent by departmentsWithEmployees(db): one LEFT JOIN is enough').toBe(1)
  })

  it('keeps a department without employees, with employees: [] (not a row of nulls)', async () => {
    const got = await departmentsWithEmployees(rec().db)
    const legal = got.find((d: Dept) => d.id === 3)
    expect(legal, 'the "Legal" department (id 3) has no employees: is it in the result?').toBeDefined()
    expect(legal, 'the "Legal" department (id 3)').toEqual({ id: 3, name: 'Legal', employees: [] })
  })

  it('works on other data too (8 departments, 2 of them empty)', async () => {
    const data = big()
    await load(data.depts, data.emps)
    expect(await departmentsWithEmployees(rec().db), 'departmentsWithEmployees(db) on random data').toEqual(expected(data.depts, data.emps).departments)
  })
})

describe('employeesWithManager(db): self LEFT JOIN', () => {
  beforeEach(() => load(small.depts, small.emps))

  it('returns every employee ordered by id with manager { id, name }, or manager: null', async () => {
    const r = rec()
    expect(await employeesWithManager(r.db), 'employeesWithManager(db)').toEqual(expected(small.depts, small.emps).withManager)
    expect(r.queries.length, 'queries sent by employeesWithManager(db): join the table to itself once').toBe(1)
  })

  it('works on other data too (60 employees, random managers)', async () => {
    const data = big()
    await load(data.depts, data.emps)
    expect(await employeesWithManager(rec().db), 'employeesWithManager(db) on random data').toEqual(expected(data.depts, data.emps).withManager)
  })
})
