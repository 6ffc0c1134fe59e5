import { describe, expect, it, vi, beforeEach } from 'vitest'
import { request, setCsrf, setSignedOutHandler, withQuery } from '../src/api/client'
import { ApiError, errorFrom } from '../src/api/errors'

/** The ApiError a request fails with (the test fails if it succeeds). */
async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p
  } catch (e) {
    if (e instanceof ApiError) return e
    throw e
  }
  throw new Error('the request succeeded')
}

function answer(status: number, body: unknown): Response {
  return new Response(body === undefined ? '' : JSON.stringify(body), { status })
}

describe('the API client', () => {
  beforeEach(() => {
    setCsrf(null)
    setSignedOutHandler(null)
  })

  it('sends the CSRF token on writes and never on reads', async () => {
    setCsrf('abc123')
    const seen: RequestInit[] = []
    const fake = vi.fn(async (_: string, init?: RequestInit) => {
      seen.push(init ?? {})
      return answer(200, { ok: true })
    })
    await request('GET', '/v1/console/records/cases', undefined, fake)
    await request('POST', '/v1/console/tasks', { a: 1 }, fake)
    await request('DELETE', '/v1/console/session', undefined, fake)
    const headers = seen.map((i) => i.headers as Record<string, string>)
    expect(headers[0]['x-csrf-token']).toBeUndefined()
    expect(headers[1]['x-csrf-token']).toBe('abc123')
    expect(headers[1]['content-type']).toBe('application/json')
    expect(headers[2]['x-csrf-token']).toBe('abc123')
    expect(seen.every((i) => i.credentials === 'same-origin')).toBe(true)
    expect(seen[1].body).toBe('{"a":1}')
  })

  it('turns the server error body into an ApiError with its stable code and Chinese message', async () => {
    const fake = async () => answer(403, { code: 'account_locked', message: '账号已锁定，请于 10:15 之后再试' })
    const err = await failure(request('POST', '/v1/console/session', {}, fake))
    expect(err).toBeInstanceOf(ApiError)
    expect(err.code).toBe('account_locked')
    expect(err.status).toBe(403)
    expect(err.display).toBe('账号已锁定，请于 10:15 之后再试（错误代码：account_locked）')
  })

  it('signs the person out when the session ended, except on the sign-in call itself', async () => {
    const out = vi.fn()
    setSignedOutHandler(out)
    const expired = async () => answer(401, { code: 'session_expired', message: '登录已过期' })
    await expect(request('GET', '/v1/console/records/tasks', undefined, expired)).rejects.toThrow('session_expired')
    expect(out).toHaveBeenCalledTimes(1)
    await expect(request('POST', '/v1/console/session', {}, expired)).rejects.toThrow()
    expect(out).toHaveBeenCalledTimes(1)
    const forbidden = async () => answer(403, { code: 'forbidden', message: '无权' })
    await expect(request('GET', '/x', undefined, forbidden)).rejects.toThrow('forbidden')
    expect(out).toHaveBeenCalledTimes(1)
  })

  it('reports a network failure and a body that is not JSON with codes of their own', async () => {
    const down = async (): Promise<Response> => {
      throw new TypeError('Failed to fetch')
    }
    const e1 = await failure(request('GET', '/x', undefined, down))
    expect(e1.code).toBe('network')
    expect(e1.display).toContain('无法连接服务器')
    const html = async () => new Response('<html>bad gateway</html>', { status: 502 })
    const e2 = await failure(request('GET', '/x', undefined, html))
    expect(e2.code).toBe('internal')
    expect(errorFrom(404, null).code).toBe('not_found')
  })

  it('builds queries without empty values', () => {
    expect(withQuery('/p', { a: 'x', b: '', c: undefined, d: true, e: null })).toBe('/p?a=x&d=true')
    expect(withQuery('/p', {})).toBe('/p')
  })
})
