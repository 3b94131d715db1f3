/** One line of a shopping cart. */
export interface Line {
  sku: string
  qty: number
  priceCents: number
}

/** A shopping cart: an id, its lines (one per sku) and the coupon codes applied. */
export interface Cart {
  id: string
  lines: Line[]
  coupons: Set<string>
}

/**
 * A deep copy: no array, line or Set of the copy is shared with the original, so
 * changing one never changes the other.
 */
export function copyCart(cart: Readonly<Cart>): Cart {
  throw new Error('TODO: copyCart — return a deep copy (new lines array, new line objects, new Set)\nTODO(ru): copyCart — вернуть глубокую копию (новый массив строк, новые объекты строк, новый Set)')
}

/**
 * A new cart with `line` added; the input is never changed. A sku already in the
 * cart gets its quantity increased in place (same position, the price stays);
 * a new sku is appended. qty must be a positive integer, else RangeError.
 */
export function addLine(cart: Readonly<Cart>, line: Readonly<Line>): Cart {
  throw new Error('TODO: addLine — return a new cart with the line added, leave the input untouched\nTODO(ru): addLine — вернуть новую корзину с добавленной строкой, исходную не менять')
}

/** [units, cents]: how many units the cart holds and what they cost in total. */
export function totals(cart: Readonly<Cart>): [units: number, cents: number] {
  throw new Error('TODO: totals — return the tuple [units, cents]\nTODO(ru): totals — вернуть кортеж [units, cents]')
}

/** Units per sku over all carts, keys in the order the skus were first seen. */
export function unitsBySku(carts: readonly Readonly<Cart>[]): Map<string, number> {
  throw new Error('TODO: unitsBySku — count units per sku in a Map\nTODO(ru): unitsBySku — посчитать количество единиц по каждому sku в Map')
}

/** Every coupon used by any cart, each once, sorted. */
export function allCoupons(carts: readonly Readonly<Cart>[]): string[] {
  throw new Error('TODO: allCoupons — collect the coupons in a Set, return them sorted\nTODO(ru): allCoupons — собрать купоны в Set и вернуть их отсортированными')
}
