/**
 * Who is signed in, for the whole app: loaded once from
 * `GET /v1/console/session` (which also gives the CSRF token again after
 * a reload), set by sign-in, cleared by sign-out or when the server says
 * the session ended.
 */
import { reactive } from 'vue'
import { api, setCsrf, type SessionInfo, type SignIn } from './api/client'

export const session = reactive<{ info: SessionInfo | null; loaded: boolean }>({ info: null, loaded: false })

/** Asks the server who is signed in (once per page load). */
export async function loadSession(): Promise<SessionInfo | null> {
  if (session.loaded) return session.info
  try {
    const info = await api.session()
    setCsrf(info.csrf_token)
    session.info = info
  } catch {
    session.info = null
  }
  session.loaded = true
  return session.info
}

export async function signIn(b: SignIn): Promise<SessionInfo> {
  const info = await api.signIn(b)
  setCsrf(info.csrf_token)
  session.info = info
  session.loaded = true
  return info
}

export function forget(): void {
  setCsrf(null)
  session.info = null
  session.loaded = true
}

export async function signOut(): Promise<void> {
  try {
    await api.signOut()
  } finally {
    forget()
  }
}
