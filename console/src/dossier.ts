/**
 * Reads the case dossier (`GET /v1/console/records/cases/{id}`). Its
 * documents and replay are typed from the OpenAPI document (`DocumentRef`,
 * `Replay`); the case itself is the device's `case show --json` shape,
 * which the OpenAPI document does not describe yet, so its fields are
 * read here defensively (a missing or odd field shows as "—", never
 * breaks the page).
 */
import type { DocumentRef, Replay } from './api/client'

type Json = Record<string, unknown>

function obj(v: unknown): Json | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null
}

export interface Dossier {
  id: string
  township: string
  matterCode: string
  releaseId: string | null
  status: string
  statusZh: string
  violationTime: string | null
  place: string | null
  officers: { id: string; name: string; credential: string }[]
  party: { kind: string | null; name: string | null; idNumber: string | null; phone: string | null; address: string | null } | null
  facts: string | null
  evidenceSummary: string | null
  decision: {
    penaltyKind: string | null
    amountFen: number | null
    band: string | null
    circumstances: string[]
    suggestedLevel: string | null
    deviationReason: string | null
    remedyClause: string | null
    decidedAt: string | null
  } | null
  number: string | null
  timeline: { seq: number | null; at: string | null; kind: string | null; to: string | null }[]
  documents: DocumentRef[]
  evidenceFiles: EvidenceFile[]
  replay: Replay | null
  flagged: boolean
}

/** An evidence original of the case (the dossier's `evidence_files`). */
export interface EvidenceFile {
  sha256: string
  mediaType: string
  size: number
  held: boolean
}

/** The URL of one of a case's files (served by the centre, audited). */
export function fileUrl(caseId: string, sha256: string): string {
  return `/v1/console/records/cases/${encodeURIComponent(caseId)}/files/${encodeURIComponent(sha256)}`
}

export function readDossier(raw: unknown): Dossier {
  const d = obj(raw) ?? {}
  const party = obj(d.party)
  const decision = obj(d.decision)
  const penalty = obj(decision?.penalty)
  const issue = obj(d.issue)
  const officers = Array.isArray(d.officers) ? d.officers.map(obj).filter((o): o is Json => o !== null) : []
  const timeline = Array.isArray(d.timeline) ? d.timeline.map(obj).filter((o): o is Json => o !== null) : []
  const documents = Array.isArray(d.documents) ? (d.documents as DocumentRef[]) : []
  const evidenceFiles = (Array.isArray(d.evidence_files) ? d.evidence_files.map(obj) : [])
    .filter((e): e is Json => e !== null && typeof e.sha256 === 'string' && /^[0-9a-f]{64}$/.test(e.sha256))
    .map((e) => ({ sha256: str(e.sha256) ?? '', mediaType: str(e.media_type) ?? '', size: num(e.size) ?? 0, held: e.held === true }))
  return {
    id: str(d.id) ?? '',
    township: str(d.township) ?? '—',
    matterCode: str(d.matter_code) ?? '—',
    releaseId: str(d.release_id),
    status: str(d.status) ?? '',
    statusZh: str(d.status_zh) ?? str(d.status) ?? '—',
    violationTime: str(d.violation_time),
    place: str(d.place),
    officers: officers.map((o) => ({ id: str(o.id) ?? '', name: str(o.name) ?? '', credential: str(o.credential_no) ?? '' })),
    party: party
      ? {
          kind: str(party.kind),
          name: str(party.name),
          idNumber: str(party.id_number),
          phone: str(party.phone),
          address: str(party.address),
        }
      : null,
    facts: str(d.facts),
    evidenceSummary: str(d.evidence_summary),
    decision: decision
      ? {
          penaltyKind: str(penalty?.kind),
          amountFen: num(penalty?.amount_fen),
          band: str(penalty?.band),
          circumstances: Array.isArray(decision.circumstances) ? decision.circumstances.filter((c): c is string => typeof c === 'string') : [],
          suggestedLevel: str(decision.suggested_level),
          deviationReason: str(decision.deviation_reason),
          remedyClause: str(decision.remedy_clause),
          decidedAt: str(decision.decided_at),
        }
      : null,
    number: str(issue?.number),
    timeline: timeline.map((t) => ({ seq: num(t.seq), at: str(t.at), kind: str(t.kind), to: str(t.to) })),
    documents,
    evidenceFiles,
    replay: (obj(d.replay) as Replay | null) ?? null,
    flagged: d.flagged === true,
  }
}

export const PENALTY_ZH: Record<string, string> = { warning: '警告', fine: '罚款', notice_of_criticism: '通报批评' }
export const PARTY_ZH: Record<string, string> = { individual: '公民', organization: '法人或者其他组织' }
