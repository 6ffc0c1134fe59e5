// The one typed backend interface the screens talk to. Two implementations:
// Tauri IPC (the desktop and mobile app) and HTTP to `zhifa web` (any
// browser). Request and response types are generated from Rust
// (src/bindings/api.ts), so a command cannot be called with the wrong shape.
import type { ApiErrorBody, Commands, SyncLive } from '../bindings/api'

export type CommandName = keyof Commands
export type Req<K extends CommandName> = Commands[K]['req']
export type Resp<K extends CommandName> = Commands[K]['resp']

export interface Backend {
  readonly kind: 'tauri' | 'web' | 'mock'
  call<K extends CommandName>(command: K, request: Req<K>): Promise<Resp<K>>
  /** Pushes the background sync's live state as it changes (the Tauri
   *  event); absent where the screens poll `sync_status` instead. Resolves
   *  to the unsubscribe function. */
  onSync?(cb: (live: SyncLive) => void): Promise<() => void>
}

/** A failed command: the stable code and the Chinese message. */
export class BackendError extends Error {
  readonly code: string
  constructor(body: ApiErrorBody) {
    super(body.message)
    this.code = body.code
    this.name = 'BackendError'
  }
}

/** Turns whatever a transport threw into a BackendError. */
export function toBackendError(e: unknown): BackendError {
  if (e instanceof BackendError) return e
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    const o = e as { code: unknown; message: unknown }
    return new BackendError({ code: String(o.code), message: String(o.message) })
  }
  if (typeof e === 'string') return new BackendError({ code: 'APP_ERROR', message: e })
  return new BackendError({ code: 'APP_NETWORK', message: '无法连接本机服务，请确认应用仍在运行' })
}

let current: Backend | null = null

export function setBackend(b: Backend): void {
  current = b
}

export function backend(): Backend {
  if (!current) throw new Error('backend not set')
  return current
}

/** Shorthand for `backend().call`. */
export function call<K extends CommandName>(command: K, request: Req<K>): Promise<Resp<K>> {
  return backend().call(command, request)
}
