// Tauri IPC: each command is a #[tauri::command] of the same name taking
// `req` (src-tauri/src/commands.rs); errors arrive as {code, message}.
import { invoke } from '@tauri-apps/api/core'
import { listen } from '@tauri-apps/api/event'
import type { SyncLive } from '../bindings/api'
import { toBackendError, type Backend, type CommandName, type Req, type Resp } from './index'

/** The event the shell emits with the background sync's live state (src-tauri SYNC_EVENT). */
export const SYNC_EVENT = 'zhifa://sync'

export class TauriBackend implements Backend {
  readonly kind = 'tauri' as const

  async call<K extends CommandName>(command: K, request: Req<K>): Promise<Resp<K>> {
    try {
      return await invoke<Resp<K>>(command, { req: request })
    } catch (e) {
      throw toBackendError(e)
    }
  }

  onSync(cb: (live: SyncLive) => void): Promise<() => void> {
    return listen<SyncLive>(SYNC_EVENT, (e) => cb(e.payload))
  }
}

/** Whether the page runs inside the Tauri webview. */
export function inTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window
}
