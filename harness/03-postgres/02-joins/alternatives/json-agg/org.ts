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
  // PostgreSQL nests: json_agg per department, FILTER drops the NULL row of an empty one.
  const { rows } = await db.query<DepartmentWithEmployees>(
    `SELECT d.id, d.name,
            coalesce(json_agg(json_build_object('id', e.id, 'name', e.name) ORDER BY e.name, e.id) FILTER (WHERE e.id IS NOT NULL), '[]') AS employees
       FROM departments d
       LEFT JOIN employees e ON e.department_id = d.id
      GROUP BY d.id, d.name
      ORDER BY d.id`,
  )
  return rows
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
