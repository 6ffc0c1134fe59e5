// The simple-procedure wizard's draft between screens: what the officer
// has entered but the core has not yet been asked to record (the party is
// recorded with the facts; the penalty and circumstances with the decision).
import { defineStore } from 'pinia'
import type { PartyInput, PenaltyInput } from '../bindings/api'

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

export function emptyParty(): PartyInput {
  return { kind: 'individual', name: '', id_number: '', phone: null, address: '', representative: null }
}

export const useWizard = defineStore('wizard', {
  state: () => ({
    caseId: null as string | null,
    party: emptyParty(),
    circumstances: [] as string[],
    level: null as string | null,
    penalty: { kind: 'fine', amount_fen: null } as PenaltyInput,
    deviationReason: '',
  }),
  actions: {
    start(caseId: string) {
      this.$reset()
      this.caseId = caseId
    },
    chooseLevel(code: string, circumstances: string[]) {
      this.level = code
      this.circumstances = [...circumstances]
    },
  },
})
