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

/** INNER JOIN: only employees that belong to a department, ordered by id. One query. */
export async function employeesWithDepartment(db: Db): Promise<EmployeeWithDepartment[]> {
  throw new Error('TODO: employeesWithDepartment — one SELECT … FROM employees JOIN departments, nested as { id, name, department: { id, name } }\nTODO(ru): employeesWithDepartment — один SELECT … FROM employees JOIN departments, результат вложенный: { id, name, department: { id, name } }')
}

/** LEFT JOIN: every department (empty ones too) with its employees nested. One query. */
export async function departmentsWithEmployees(db: Db): Promise<DepartmentWithEmployees[]> {
  throw new Error('TODO: departmentsWithEmployees — one SELECT … FROM departments LEFT JOIN employees, nested as { id, name, employees: [...] }\nTODO(ru): departmentsWithEmployees — один SELECT … FROM departments LEFT JOIN employees, результат вложенный: { id, name, employees: [...] }')
}

/** Self LEFT JOIN: every employee with their manager, or null. One query. */
export async function employeesWithManager(db: Db): Promise<EmployeeWithManager[]> {
  throw new Error('TODO: employeesWithManager — one SELECT … FROM employees e LEFT JOIN employees m ON m.id = e.manager_id\nTODO(ru): employeesWithManager — один SELECT … FROM employees e LEFT JOIN employees m ON m.id = e.manager_id')
}
