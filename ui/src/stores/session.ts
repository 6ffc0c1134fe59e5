// Who is signed in, and what the device knows before anyone is.
import { defineStore } from 'pinia'
import { call } from '../backend'
import type { AppState, OfficerBrief } from '../bindings/api'

export const useSession = defineStore('session', {
  state: () => ({
    app: null as AppState | null,
    officer: null as OfficerBrief | null,
  }),
  getters: {
    signedIn: (s) => s.officer !== null,
    /** Officers who could go with the signed-in one (same township, not themself). */
    partners: (s): OfficerBrief[] =>
      (s.app?.officers ?? []).filter(
        (o) => o.id !== s.officer?.id && o.township_code === s.officer?.township_code,
      ),
  },
  actions: {
    /** An officer's name for the screens (never their internal id). */
    nameOf(id: string): string {
      return this.app?.officers.find((o) => o.id === id)?.name ?? '其他执法人员'
    },
    async load() {
      this.app = await call('app_state', {})
      this.officer = this.app.signed_in
    },
    async signIn(officerId: string, pin: string) {
      this.officer = await call('sign_in', { officer_id: officerId, pin })
      await this.load()
    },
    async enrol(officerId: string, pin: string) {
      this.officer = await call('enrol', { officer_id: officerId, pin })
      await this.load()
    },
    async signOut() {
      await call('sign_out', {})
      this.officer = null
      await this.load()
    },
  },
})
