import type { Pool } from 'pg'

/** The one method this module needs from a pg Pool (or Client). */
export type Db = Pick<Pool, 'query'>

export interface Ref {
  id: number
  name: string
}
export interface EmployeeWithDepartment extends Ref {
  department: Ref
}
export interface DepartmentWithEmployees extends Ref {
  employees: Ref[]
}
export interface EmployeeWithManager extends Ref {
  manager: Ref | null
}

/** INNER JOIN: only employees that belong to a department. */
export async function employeesWithDepartment(db: Db): Promise<EmployeeWithDepartment[]> {
  const { rows } = await db.query<{ id: number; name: string; dept_id: number; dept_name: string }>(
    `SELECT e.id, e.name, d.id AS dept_id, d.name AS dept_name
       FROM employees e
       JOIN departments d ON d.id = e.department_id
      ORDER BY e.id`,
  )
  return rows.map((r) => ({ id: r.id, name: r.name, department: { id: r.dept_id, name: r.dept_name } }))
}

/** LEFT JOIN: every department, the empty ones too, each with its employees nested. */
export async function departmentsWithEmployees(db: Db): Promise<DepartmentWithEmployees[]> {
  const { rows } = await db.query<{ id: number; name: string; emp_id: number | null; emp_name: string | null }>(
    `SELECT d.id, d.name, e.id AS emp_id, e.name AS emp_name
       FROM departments d
       JOIN employees e ON e.department_id = d.id
      ORDER BY d.id, e.name, e.id`,
  )
  // Rows come sorted by department: fold consecutive rows into one nested object.
  const out: DepartmentWithEmployees[] = []
  for (const r of rows) {
    let dept = out.at(-1)
    if (dept?.id !== r.id) out.push((dept = { id: r.id, name: r.name, employees: [] }))
    // A department without employees yields one row whose employee columns are NULL.
    if (r.emp_id !== null) dept.employees.push({ id: r.emp_id, name: r.emp_name! })
  }
  return out
}

/** Self LEFT JOIN: every employee with their manager, or null for the top of the tree. */
export async function employeesWithManager(db: Db): Promise<EmployeeWithManager[]> {
  const { rows } = await db.query<{ id: number; name: string; mgr_id: number | null; mgr_name: string | null }>(
    `SELECT e.id, e.name, m.id AS mgr_id, m.name AS mgr_name
       FROM employees e
       LEFT JOIN employees m ON m.id = e.manager_id
      ORDER BY e.id`,
  )
  return rows.map((r) => ({ id: r.id, name: r.name, manager: r.mgr_id === null ? null : { id: r.mgr_id, name: r.mgr_name! } }))
}
