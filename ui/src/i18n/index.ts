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
  return (e.code && (zhCN.errors[e.code] ?? zhCN.syncErrors[e.code])) || plain(e.message ?? '') || '操作失败'
}

/** A message without its technical parts: `[code]`, `(HTTP 413)`, UUIDs,
 *  long hex hashes and file paths are the detail, not the words. */
export function plain(message: string): string {
  return message
    .replace(/\[[\x20-\x7e]*\]/g, '')
    .replace(/[（(]\s*HTTP\s*\d{3}\s*[)）]/gi, '')
    .replace(/\bHTTP\s*\d{3}\b/gi, '')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '')
    .replace(/\b[0-9a-f]{16,}\b/gi, '')
    .replace(/(?:[A-Za-z]:)?(?:[\\/][\w.-]+){2,}/g, '')
    .replace(/\s{2,}/g, ' ')
    .trim()
}

/** A sync failure in plain words: the translation of its stable code, else the detail. */
export function syncErrorText(e: { code: string; message: string }): string {
  return zhCN.syncErrors[e.code] ?? chineseOr(e.message, '同步失败（原因见“详情”）')
}

/** The message when it is in Chinese; else the fallback (the technical
 *  words stay behind 详情). */
function chineseOr(message: string, fallback: string): string {
  return /[\u4e00-\u9fff]/.test(message) ? plain(message) : fallback
}

/** Why the server rejected a record, in plain words. */
export function rejectText(code: string, message: string): string {
  return zhCN.reject[code] ?? chineseOr(message, '服务器未接受此记录（原因见“详情”）')
}
