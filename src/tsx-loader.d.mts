export function useTsx(): Promise<void>
export function nodeStripsTypes(): boolean
