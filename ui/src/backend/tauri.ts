// Tauri IPC: each command is a #[tauri::command] of the same name taking
// `req` (src-tauri/src/commands.rs); errors arrive as {code, message}.
import { invoke } from '@tauri-apps/api/core'
import { toBackendError, type Backend, type CommandName, type Req, type Resp } from './index'

export class TauriBackend implements Backend {
  readonly kind = 'tauri' as const

  async call<K extends CommandName>(command: K, request: Req<K>): Promise<Resp<K>> {
    try {
      return await invoke<Resp<K>>(command, { req: request })
    } catch (e) {
      throw toBackendError(e)
    }
  }
}

/** Whether the page runs inside the Tauri webview. */
export function inTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window
}
