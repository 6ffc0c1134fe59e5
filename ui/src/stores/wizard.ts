// The simple-procedure wizard's draft between screens: what the officer
// has entered but the core has not yet been asked to record (the party is
// recorded with the facts; the penalty and circumstances with the decision).
// Every change is saved at once into the encrypted device store
// (`draft_save`, keyed by the case and the screen), so a reload or the OS
// killing the page loses nothing: `restore` brings it back at the screen.
import { defineStore } from 'pinia'
import { onMounted, onUnmounted, ref, watch, type Ref } from 'vue'
import type { PartyInput, PenaltyInput } from '../bindings/api'
import { call } from '../backend'

/** The wizard's screens, in order, from "new case" to "payment QR shown". */
export const STEPS = ['new', 'party', 'facts', 'discretion', 'rights', 'preview', 'sign', 'done'] as const
export type Step = (typeof STEPS)[number]

/** The screen a case in `status` continues on. */
export function stepForStatus(status: string): Step {
  switch (status) {
    case 'draft':
      return 'party'
    case 'party_and_facts':
      return 'facts'
    case 'evidence':
      return 'discretion'
    case 'rights_told':
      return 'rights'
    case 'decided':
      return 'preview'
    case 'issued':
      return 'sign'
    default:
      return 'done'
  }
}

/** The screen to continue a case on: the saved draft's screen when it is
 *  not behind what the case has recorded, else the status's screen. */
export function resumeStep(status: string, draftStep: string | null | undefined): Step {
  const byStatus = stepForStatus(status)
  const d = STEPS.find((s) => s === draftStep)
  // A draft may sit behind (the officer went back) or ahead of the
  // recorded status (typed but not yet recorded); once the decision is
  // made the case itself says where it stands.
  if (!d || STEPS.indexOf(byStatus) > STEPS.indexOf('rights')) return byStatus
  return d
}

export function emptyParty(): PartyInput {
  return { kind: 'individual', name: '', id_number: '', phone: null, address: '', representative: null }
}

function initial() {
  return {
    caseId: null as string | null,
    step: 'new' as Step,
    party: emptyParty(),
    place: '',
    facts: '',
    actOngoing: false,
    actEndDate: '',
    // 违法时间 as entered (`YYYY-MM-DDTHH:MM`); '' until the facts screen
    // fills it from the case.
    violationTime: '',
    circumstances: [] as string[],
    level: null as string | null,
    penalty: { kind: 'fine', amount_fen: null } as PenaltyInput,
    amountText: '',
    deviationReason: '',
    heard: false,
    statement: '',
    review: '',
    waiverWords: '',
  }
}

type Draft = ReturnType<typeof initial>
/** The fields a draft carries (everything but the case id). */
const FIELDS = Object.keys(initial()).filter((k) => k !== 'caseId') as (keyof Draft)[]

export const useWizard = defineStore('wizard', {
  state: initial,
  actions: {
    start(caseId: string) {
      this.$reset()
      this.caseId = caseId
    },
    chooseLevel(code: string, circumstances: string[]) {
      this.level = code
      this.circumstances = [...circumstances]
    },
    /** The JSON a draft is saved as. */
    snapshot(): string {
      const out: Record<string, unknown> = {}
      for (const k of FIELDS) out[k] = this.$state[k]
      return JSON.stringify(out)
    },
    /** Applies a saved draft's JSON (unknown or mistyped fields are
     *  ignored). With `onlyEmpty`, what the officer typed while it loaded
     *  (a non-empty text) is kept. */
    apply(json: string, onlyEmpty = false) {
      let d: Record<string, unknown>
      try {
        d = JSON.parse(json)
      } catch {
        return
      }
      if (typeof d !== 'object' || d === null) return
      const base = initial()
      const state = this.$state as unknown as Record<string, unknown>
      const keep = (cur: unknown, was: unknown) => onlyEmpty && typeof cur === 'string' && cur !== '' && cur !== was
      for (const k of FIELDS) {
        const v = d[k]
        if (v === undefined || (v === null && base[k] !== null)) continue
        if (k === 'party' && typeof v === 'object') {
          const party = this.party as unknown as Record<string, unknown>
          for (const [pk, pv] of Object.entries(v as Record<string, unknown>)) {
            if (pk in party && !keep(party[pk], (base.party as unknown as Record<string, unknown>)[pk]) && (pv === null || typeof pv === 'string')) party[pk] = pv
          }
        } else if (k === 'penalty' && typeof v === 'object') this.penalty = { ...this.penalty, ...(v as PenaltyInput) }
        else if ((base[k] === null || typeof v === typeof base[k]) && !keep(state[k], base[k])) state[k] = v
      }
    },
    /** Makes the store hold case `caseId`'s draft: kept as is when it is
     *  this case's already, else restored from the device store. */
    async restore(caseId: string) {
      if (this.caseId === caseId) return
      this.start(caseId)
      try {
        const d = await call('draft_get', { case_id: caseId })
        if (d && this.caseId === caseId && typeof d.data === 'string') this.apply(d.data, true)
      } catch {
        // No draft to restore: the screens start from what the case recorded.
      }
    },
  },
})

type Wizard = ReturnType<typeof useWizard>

/** Saves the wizard on every change while a case screen is shown: one save
 *  in flight at a time, the newest state always written last. Resolves
 *  `saved()` when nothing is pending (the e2e and tests wait on it). */
export function autosave(wizard: Wizard, step: Step): { stop: () => void; saved: () => Promise<void> } {
  let running: Promise<void> | null = null
  let again = false
  const save = async () => {
    if (!wizard.caseId) return
    mark('saving')
    if (running) {
      again = true
      return running
    }
    running = (async () => {
      do {
        again = false
        const id = wizard.caseId
        if (!id) break
        try {
          await call('draft_save', { case_id: id, step: wizard.step, data: wizard.snapshot() })
        } catch {
          // Kept in memory; the next change tries again.
        }
      } while (again)
    })()
    try {
      await running
    } finally {
      running = null
      // A change that arrived after the loop's last check but before this
      // line set `again` on a save that had already ended: write it now,
      // never report `saved` over it (a reload would lose it).
      if (again) void save()
      else mark('saved')
    }
  }
  wizard.step = step
  const stop = watch(() => wizard.snapshot(), save)
  void save()
  return { stop, saved: async () => { while (running) await running } }
}

/** `data-draft` on the page's root: `saving` while a change is on its way
 *  to the store, `saved` once every change is stored (the e2e waits on it). */
function mark(state: 'saving' | 'saved') {
  if (typeof document !== 'undefined') document.documentElement.dataset.draft = state
}

/** For a case screen: restores the case's draft (after a reload or a kill)
 *  and then saves every change. `ready` turns true once restored. */
export function useCaseDraft(caseId: string, step: Step): { wizard: Wizard; ready: Ref<boolean> } {
  const wizard = useWizard()
  const ready = ref(wizard.caseId === caseId)
  let saver: { stop: () => void } | null = null
  onMounted(async () => {
    await wizard.restore(caseId)
    ready.value = true
    saver = autosave(wizard, step)
  })
  onUnmounted(() => saver?.stop())
  return { wizard, ready }
}
