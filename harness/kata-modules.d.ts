// Suites import the kata under test as `@kata/<id>`; the runner resolves it per target.
// For the type checker the module is untyped: the suite asserts its shape at run time.
declare module '@kata/*'
