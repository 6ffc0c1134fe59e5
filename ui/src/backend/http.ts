// HTTP to `zhifa web`: POST /api/<command> with JSON. The per-run token
// arrives once in the page URL (?token=…); the server then sets an
// HttpOnly cookie, which same-origin fetches carry. The token is kept for
// the tab as a header too, and removed from the address bar.
import { BackendError, toBackendError, type Backend, type CommandName, type Req, type Resp } from './index'

export class HttpBackend implements Backend {
  readonly kind = 'web' as const
  private readonly base: string
  private readonly token: string | null
  private readonly fetchFn: typeof fetch

  constructor(base = '', token: string | null = null, fetchFn: typeof fetch = (...a) => fetch(...a)) {
    this.base = base
    this.token = token
    this.fetchFn = fetchFn
  }

  async call<K extends CommandName>(command: K, request: Req<K>): Promise<Resp<K>> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' }
    if (this.token) headers['X-Zhifa-Token'] = this.token
    let res: Response
    try {
      res = await this.fetchFn(`${this.base}/api/${command}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(request),
        credentials: 'same-origin',
      })
    } catch (e) {
      throw toBackendError(e instanceof BackendError ? e : null)
    }
    const text = await res.text()
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      throw new BackendError({ code: 'APP_BAD_RESPONSE', message: `服务返回了无法识别的内容（HTTP ${res.status}）` })
    }
    if (!res.ok) throw toBackendError(body)
    return body as Resp<K>
  }
}

/** Reads the token from the URL once, keeps it for the tab, and clears the URL. */
export function takeTokenFromUrl(): string | null {
  const url = new URL(window.location.href)
  const t = url.searchParams.get('token')
  if (t) {
    sessionStorage.setItem('zhifa_token', t)
    url.searchParams.delete('token')
    window.history.replaceState(null, '', url.pathname + url.search + url.hash)
    return t
  }
  return sessionStorage.getItem('zhifa_token')
}
