import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN'

export const i18n = createI18n({
  legacy: false,
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN },
})

/** The Chinese text for a failed command: the plain-words override of its code, or its own message. */
export function errorText(e: { code?: string; message?: string }): string {
  return (e.code && (zhCN.errors[e.code] ?? zhCN.syncErrors[e.code])) || e.message || '操作失败'
}

/** A sync failure in plain words: the translation of its stable code, else the detail. */
export function syncErrorText(e: { code: string; message: string }): string {
  return zhCN.syncErrors[e.code] ?? e.message
}

/** Why the server rejected a record, in plain words. */
export function rejectText(code: string, message: string): string {
  return zhCN.reject[code] ?? message
}
