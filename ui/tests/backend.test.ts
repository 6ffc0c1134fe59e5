import { describe, expect, it, vi } from 'vitest'
import { HttpBackend } from '../src/backend/http'
import { BackendError, toBackendError } from '../src/backend'

function respond(status: number, body: unknown): typeof fetch {
  return vi.fn(async () => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status })) as unknown as typeof fetch
}

describe('HttpBackend', () => {
  it('posts the request to /api/<command> with the token header', async () => {
    const f = respond(200, { release_id: 'r', township: null, hits: [] })
    const b = new HttpBackend('http://127.0.0.1:9', 'tok', f)
    const res = await b.call('catalogue_search', { text: 'zdjy', limit: 5, all: null })
    expect(res.hits).toEqual([])
    const [url, init] = (f as unknown as ReturnType<typeof vi.fn>).mock.calls[0]
    expect(url).toBe('http://127.0.0.1:9/api/catalogue_search')
    expect(init.method).toBe('POST')
    expect(init.headers['X-Zhifa-Token']).toBe('tok')
    expect(JSON.parse(init.body)).toEqual({ text: 'zdjy', limit: 5, all: null })
  })
  it('turns an error body into a BackendError with its stable code', async () => {
    const b = new HttpBackend('', null, respond(400, { code: 'SIGNIN_WRONG_PIN', message: 'PIN 错误，再错 4 次将暂时锁定' }))
    const e = await b.call('sign_in', { officer_id: 'x', pin: '000001' }).catch((x) => x)
    expect(e).toBeInstanceOf(BackendError)
    expect(e.code).toBe('SIGNIN_WRONG_PIN')
    expect(e.message).toContain('PIN 错误')
  })
  it('reports a non-JSON answer and a dead server in Chinese', async () => {
    const b = new HttpBackend('', null, respond(502, '<html>bad gateway</html>'))
    const e = await b.call('home', {}).catch((x) => x)
    expect(e.code).toBe('APP_BAD_RESPONSE')
    const dead = new HttpBackend('', null, vi.fn(async () => { throw new TypeError('Failed to fetch') }) as unknown as typeof fetch)
    const e2 = await dead.call('home', {}).catch((x) => x)
    expect(e2.code).toBe('APP_NETWORK')
    expect(e2.message).toContain('无法连接')
  })
  it('normalises Tauri-style error objects and strings', () => {
    expect(toBackendError({ code: 'API_INVALID', message: '请先登记违法地点' }).code).toBe('API_INVALID')
    expect(toBackendError('boom').code).toBe('APP_ERROR')
  })
})
