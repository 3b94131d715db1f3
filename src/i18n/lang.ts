export type Lang = 'en' | 'ru'

/** --lang wins, then the locale (LC_ALL, LC_MESSAGES, LANG), then English. */
export function pickLang(flag?: string, env: NodeJS.ProcessEnv = process.env, configured?: Lang): Lang {
  if (flag === 'en' || flag === 'ru') return flag
  if (configured) return configured
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || ''
  return /^ru\b|^ru_/i.test(locale) ? 'ru' : 'en'
}

export const text = (b: { en: string; ru: string }, lang: Lang) => b[lang]
