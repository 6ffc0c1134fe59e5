// Money is integer fen end to end; these only format it for people.

/** 15000 → "150元", 15050 → "150.50元". */
/** A discretion level's code as the officer reads it: `L2` → 第二档. */
export function levelName(code: string): string {
  const m = /^L(\d{1,2})$/i.exec(code.trim())
  if (!m) return code
  const n = Number(m[1])
  const d = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九']
  const zh = n < 10 ? d[n] : n === 10 ? '十' : n < 20 ? `十${d[n - 10]}` : `${d[Math.floor(n / 10)]}十${n % 10 ? d[n % 10] : ''}`
  return `第${zh}档`
}

export function yuan(fen: number): string {
  const neg = fen < 0
  const a = Math.abs(fen)
  const y = Math.floor(a / 100)
  const f = a % 100
  return `${neg ? '-' : ''}${y}${f ? '.' + String(f).padStart(2, '0') : ''}元`
}

/** A fine range: "100–250元" or "200元". */
export function rangeText(r: { min_fen: number; max_fen: number }): string {
  return r.min_fen === r.max_fen ? yuan(r.min_fen) : `${yuan(r.min_fen).replace('元', '')}–${yuan(r.max_fen)}`
}

/** Yuan as typed ("150", "150.5") → fen, or null when not a valid amount. */
export function parseYuan(text: string): number | null {
  const t = text.trim()
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(t)) return null
  const [y, f = ''] = t.split('.')
  return Number(y) * 100 + Number(f.padEnd(2, '0'))
}

/** Bytes → base64 (chunked, so a 10 MB photo does not overflow the stack). */
export function toBase64(bytes: Uint8Array): string {
  let s = ''
  const chunk = 0x8000
  for (let i = 0; i < bytes.length; i += chunk) {
    s += String.fromCharCode(...bytes.subarray(i, i + chunk))
  }
  return btoa(s)
}

/** base64 → bytes. */
export function fromBase64(b64: string): Uint8Array {
  const s = atob(b64)
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i)
  return out
}

/** An RFC 3339 instant as Beijing wall-clock time, `YYYY-MM-DD HH:mm`. */
export function dateTime(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  // Beijing has no daylight saving: UTC+8 all year.
  const b = new Date(d.getTime() + 8 * 3600 * 1000)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${b.getUTCFullYear()}-${p(b.getUTCMonth() + 1)}-${p(b.getUTCDate())} ${p(b.getUTCHours())}:${p(b.getUTCMinutes())}`
}
