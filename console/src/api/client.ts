/**
 * The console's one way to the server: same-origin fetch with the session
 * cookie (HttpOnly, set by the server), the CSRF token echoed on every
 * request that is not GET, and every failure turned into an `ApiError`
 * with the server's stable code. Wire types are `schema.d.ts`, generated
 * from docs/openapi.json (`npm run gen:api`), never written by hand.
 */
import type { components, operations } from './schema'
import { ApiError, errorFrom } from './errors'

export type SessionInfo = components['schemas']['SessionInfo']
export type SignIn = components['schemas']['SignIn']
export type CasePage = components['schemas']['CasePage']
export type CaseRow = components['schemas']['CaseRow']
export type InspectionPage = components['schemas']['InspectionPage']
export type TaskPage = components['schemas']['TaskPage']
export type DocumentRef = components['schemas']['DocumentRef']
export type Replay = components['schemas']['Replay']
export type CaseQuery = NonNullable<operations['case_list']['parameters']['query']>
export type InspectionQuery = NonNullable<operations['inspection_list']['parameters']['query']>
export type TaskQuery = NonNullable<operations['task_list']['parameters']['query']>
export type SuperviseReport = components['schemas']['Report']
export type Indicators = components['schemas']['Indicators']
export type Clue = components['schemas']['Clue']
export type ModelRun = components['schemas']['ModelRun']
export type Deadlines = components['schemas']['Deadlines']
export type DeadlineItem = components['schemas']['DeadlineItem']
export type CaseFileReview = components['schemas']['Review']
export type ReviewFinding = components['schemas']['Finding']
export type ReviewResult = components['schemas']['ItemResult']
export type SuperviseQuery = NonNullable<operations['report_http']['parameters']['query']>
export type StaffView = components['schemas']['StaffView']
export type OfficerView = components['schemas']['OfficerView']
export type NewTask = components['schemas']['NewTask']
export type DeviceView = components['schemas']['DeviceView']
export type Revoked = components['schemas']['Revoked']
export type SsoLinked = components['schemas']['SsoLinked']
export type AuditPage = components['schemas']['AuditPage']
export type AuditRow = components['schemas']['AuditRow']
export type AuditQuery = NonNullable<operations['audit_http']['parameters']['query']>
export type ClueRow = components['schemas']['ClueRow']
export type ClueStatus = components['schemas']['ClueStatus']
export type ClueAction = components['schemas']['Action']
export type ClueStep = components['schemas']['ClueStep']
export type RecheckOutcome = components['schemas']['RecheckOutcome']
export type RecheckDecision = components['schemas']['RecheckDecision']
export type Draw = components['schemas']['Draw']
export type DrawRequest = components['schemas']['DrawRequest']
export type SampleRow = components['schemas']['SampleRow']
export type SampleSize = components['schemas']['SampleSize']
export type Bulletin = components['schemas']['Bulletin']
export type BulletinRow = components['schemas']['BulletinRow']
export type BlindFile = components['schemas']['BlindFile']
export type HumanItem = components['schemas']['HumanItem']
export type Scoring = components['schemas']['Scoring']
export type Assignment = components['schemas']['Assignment']
export type NormalCaseSummary = components['schemas']['CaseSummary']
export type NormalCaseView = components['schemas']['CaseView']
export type NormalStepRequest = components['schemas']['StepRequest']
export type TownshipAdoption = components['schemas']['TownshipAdoption']
export type AdoptionView = components['schemas']['AdoptionView']
export type MatterChoice = components['schemas']['MatterChoice']
export type AdoptionChanges = components['schemas']['Changes']
export type Published = components['schemas']['Published']
export type Discretion = components['schemas']['Discretion']
export type LevelPeers = components['schemas']['LevelPeers']
export type NormalQuery = NonNullable<operations['list_http']['parameters']['query']>
export type SsoInfo = components['schemas']['SsoInfo']
export type EventPage = components['schemas']['EventPage']
export type EventRow = components['schemas']['EventRow']
export type EventDetail = components['schemas']['EventDetail']
export type EventQuery = NonNullable<operations['events_http']['parameters']['query']>

/** The fetch the client uses (tests put a fake here). */
export type Fetch = (input: string, init?: RequestInit) => Promise<Response>

let csrfToken: string | null = null
let onSignedOut: (() => void) | null = null

/** Remembers the CSRF token of the current session (in memory only). */
export function setCsrf(token: string | null | undefined): void {
  csrfToken = token ?? null
}

/** Called when the server says the session is gone (the app goes to sign-in). */
export function setSignedOutHandler(f: (() => void) | null): void {
  onSignedOut = f
}

/** Builds `path?query`, leaving out empty values. */
export function withQuery(path: string, query: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v))
  }
  const s = q.toString()
  return s ? `${path}?${s}` : path
}

/** One request; the JSON answer, or an `ApiError`. */
export async function request<T>(
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
  fetchImpl: Fetch = (i, init) => fetch(i, init),
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken
  let resp: Response
  try {
    resp = await fetchImpl(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch {
    throw new ApiError('network', 0, '')
  }
  const text = await resp.text()
  let json: unknown = null
  try {
    json = text ? JSON.parse(text) : null
  } catch {
    json = null
  }
  if (!resp.ok) {
    const err = errorFrom(resp.status, json)
    if (err.needsSignIn && path !== '/v1/console/session') onSignedOut?.()
    throw err
  }
  return json as T
}

export const api = {
  signIn: (b: SignIn) => request<SessionInfo>('POST', '/v1/console/session', b),
  session: () => request<SessionInfo>('GET', '/v1/console/session'),
  /** Whether the government SSO (政务统一身份认证) is configured. */
  sso: () => request<SsoInfo>('GET', '/v1/console/sso'),
  signOut: () => request<{ signed_out: boolean }>('DELETE', '/v1/console/session'),
  cases: (q: CaseQuery) => request<CasePage>('GET', withQuery('/v1/console/records/cases', q)),
  /** The case dossier (`zhifa-server case show --json` shape plus
   * documents, replay and flag): the OpenAPI document describes it as an
   * untyped object, so screens read it through `dossier.ts`. */
  caseDetail: (id: string) =>
    request<Record<string, unknown>>('GET', `/v1/console/records/cases/${encodeURIComponent(id)}`),
  /** The discretion panel of a case: its level and fine against the
   * suggested level and the same matter's decisions in scope. */
  discretion: (id: string) => request<Discretion>('GET', `/v1/console/records/cases/${encodeURIComponent(id)}/discretion`),
  inspections: (q: InspectionQuery) =>
    request<InspectionPage>('GET', withQuery('/v1/console/records/inspections', q)),
  tasks: (q: TaskQuery) => request<TaskPage>('GET', withQuery('/v1/console/records/tasks', q)),
  /** 执法监督: indicators per township and the open clues of the
   * supervisor's scope for a period (issue 18). */
  superviseReport: (q: SuperviseQuery) =>
    request<SuperviseReport>('GET', withQuery('/v1/console/supervise/report', q)),
  /** The deadline monitor: every open clock of the open normal-procedure
   * cases of the scope, red first (supervisor, 负责人, command centre). */
  deadlines: () => request<Deadlines>('GET', '/v1/console/supervise/deadlines'),
  /** 案卷评查: a normal-procedure file scored against the Chongqing
   * standard (supervisor). */
  caseReview: (id: string) =>
    request<CaseFileReview>('GET', `/v1/console/supervise/review/${encodeURIComponent(id)}`),
  /** The clues of the account's scope with their disposal: those in a
   * status, or just the chosen ids (at most 200: the cockpit's page). */
  clues: (q: { status?: ClueStatus; ids?: string[] } = {}) =>
    request<ClueRow[]>('GET', withQuery('/v1/console/supervise/clues', { status: q.status, ids: q.ids?.join(',') })),
  /** The officers of the scope (names masked), to dispatch to. */
  officers: () => request<OfficerView[]>('GET', '/v1/console/officers'),
  /** Dispatches a task (command centre); it reaches the officer's device at its next sync. */
  assignTask: (t: NewTask) => request<{ task_id: string }>('POST', '/v1/console/tasks', t),
  /** The accounts and devices of an administrator's scope, and revoking them. */
  adminStaff: () => request<StaffView[]>('GET', '/v1/console/admin/staff'),
  adminDevices: () => request<DeviceView[]>('GET', '/v1/console/admin/devices'),
  revokeStaff: (id: string) => request<Revoked>('POST', `/v1/console/admin/staff/${encodeURIComponent(id)}/revoke`),
  /** Links a subject of the government SSO to an account (the configured issuer). */
  linkSso: (id: string, subject: string) =>
    request<SsoLinked>('POST', `/v1/console/admin/staff/${encodeURIComponent(id)}/sso`, { subject }),
  revokeDevice: (id: string) => request<Revoked>('POST', `/v1/console/admin/devices/${encodeURIComponent(id)}/revoke`),
  /** Each township's adoption of the optional matters (administrators). */
  adoptionTownships: () => request<TownshipAdoption[]>('GET', '/v1/console/admin/adoption'),
  adoption: (township: string) => request<AdoptionView>('GET', `/v1/console/admin/adoption/${encodeURIComponent(township)}`),
  /** Saves the ticked optional matters as the township's draft. */
  saveAdoptionDraft: (township: string, baseRelease: string, matters: string[]) =>
    request<AdoptionView>('POST', `/v1/console/admin/adoption/${encodeURIComponent(township)}/draft`, {
      base_release: baseRelease,
      matters,
    }),
  /** Publishes the draft as a catalogue release the township's devices pull. */
  publishAdoption: (township: string, baseRelease: string, effectiveFrom: string | null) =>
    request<Published>('POST', `/v1/console/admin/adoption/${encodeURIComponent(township)}/publish`, {
      base_release: baseRelease,
      effective_from: effectiveFrom,
    }),
  /** A page of the audit log (city-wide administrators). */
  audit: (q: AuditQuery) => request<AuditPage>('GET', withQuery('/v1/console/audit', q)),
  /** The normal-procedure cases of the scope, nearest legal deadline first. */
  normalCases: (q: NormalQuery) => request<NormalCaseSummary[]>('GET', withQuery('/v1/console/procedure/cases', q)),
  /** One normal-procedure case with its log, clocks and documents. */
  normalCase: (id: string) => request<NormalCaseView>('GET', `/v1/console/procedure/cases/${encodeURIComponent(id)}`),
  /** One centre step; the server decides whether it is lawful now. */
  normalStep: (id: string, body: NormalStepRequest) =>
    request<NormalCaseView>('POST', `/v1/console/procedure/cases/${encodeURIComponent(id)}/steps`, body),
  /** The city platforms' events of the dispatcher's scope (reporter masked). */
  events: (q: EventQuery) => request<EventPage>('GET', withQuery('/v1/console/events', q)),
  /** One event with its reporter (an audited read of personal data). */
  event: (id: string) => request<EventDetail>('GET', `/v1/console/events/${encodeURIComponent(id)}`),
  /** The dispatcher assigns an event as a task to an officer. */
  eventToTask: (id: string, t: NewTask) =>
    request<{ task_id: string }>('POST', `/v1/console/events/${encodeURIComponent(id)}/task`, t),
  /** The dispatcher records an event as a case source (案源). */
  eventToCaseSource: (id: string, note: string) =>
    request<{ converted: boolean }>('POST', `/v1/console/events/${encodeURIComponent(id)}/case-source`, { note }),
  /** One step on a clue (the server checks side, status and words). */
  clueStep: (id: string, step: ClueStep) =>
    request<ClueRow>('POST', `/v1/console/supervise/clues/${encodeURIComponent(id)}`, step),
  /** The township's 负责人 applies for the 复查 of a 监督意见书 (Art. 21). */
  recheckRequest: (id: string, reason: string) =>
    request<ClueRow>('POST', `/v1/console/supervise/clues/${encodeURIComponent(id)}/recheck`, { reason }),
  /** The supervisor decides a pending 复查. */
  recheckDecide: (id: string, d: RecheckDecision) =>
    request<ClueRow>('POST', `/v1/console/supervise/clues/${encodeURIComponent(id)}/recheck/decision`, d),
  /** 案卷评查: draw a sample, list the draws, assign a file to a scorer. */
  draw: (d: DrawRequest) => request<Draw>('POST', '/v1/console/supervise/draws', d),
  draws: () => request<Draw[]>('GET', '/v1/console/supervise/draws'),
  assignSample: (id: string, scorer: string) =>
    request<SampleRow>('POST', `/v1/console/supervise/samples/${encodeURIComponent(id)}/assign`, { scorer }),
  /** The 通报 per township over a period. */
  bulletin: (q: SuperviseQuery) => request<Bulletin>('GET', withQuery('/v1/console/supervise/bulletin', q)),
  /** The scorer's files, one read blind, and its score. */
  scoring: () => request<Assignment[]>('GET', '/v1/console/supervise/scoring'),
  blindFile: (id: string) => request<BlindFile>('GET', `/v1/console/supervise/scoring/${encodeURIComponent(id)}`),
  score: (id: string, s: Scoring) => request<BlindFile>('POST', `/v1/console/supervise/scoring/${encodeURIComponent(id)}`, s),
}
