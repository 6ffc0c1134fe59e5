/**
 * What each record list exports (issue 17 item 5): the sheet's title, its
 * columns in Chinese and its filters in words, for `export.ts::listWorkbook`
 * and `listFileName`. Cells are the rows as the server returned them —
 * personal data in its masked form, fines in 元 from integer fen.
 */
import type { AuditRow, CaseRow, EventRow, InspectionPage, TaskPage } from './api/client'
import { actionLabel } from './audit'
import { EVENT_KINDS, EVENT_STATUS, replyClock } from './events'
import type { FilterWords, ListColumn } from './export'
import type { Filters } from './filters'
import { beijing, statusZh } from './format'
import { KINDS } from './tasks'

export interface ListExportSpec<Row> {
  title: string
  columns: ListColumn<Row>[]
  /** Each filter key's label, and its value in words where a code. */
  filters: Record<string, { label: string; text?: (v: string) => string }>
}

/** The filters in force, in words, in the spec's order. */
export function filterWords(spec: Pick<ListExportSpec<unknown>, 'filters'>, f: Filters): FilterWords {
  return Object.entries(spec.filters)
    .filter(([k]) => f[k] !== undefined && f[k] !== '')
    .map(([k, d]) => [d.label, d.text ? d.text(f[k]) : f[k]])
}

const time = (t: string | null | undefined) => (t ? beijing(t) : null)
const officers = (o: string[]) => o.join('、')
const PROCEDURE: Record<string, string> = { simple: '简易程序', normal: '普通程序' }

export const CASE_EXPORT: ListExportSpec<CaseRow> = {
  title: '案件列表',
  columns: [
    { header: '案件编号', value: (r) => r.case_id, width: 38 },
    { header: '违法日期', value: (r) => r.violation_date, width: 12 },
    { header: '镇街', value: (r) => r.township, width: 12 },
    { header: '事项编码', value: (r) => r.matter_code, width: 20 },
    { header: '程序', value: (r) => PROCEDURE[r.procedure] ?? r.procedure, width: 10 },
    { header: '当事人（脱敏）', value: (r) => r.party_masked, width: 14 },
    { header: '执法人员', value: (r) => officers(r.officers), width: 24 },
    { header: '状态', value: (r) => statusZh(r.status), width: 14 },
    { header: '罚款（元）', value: (r) => r.amount_fen, fen: true, width: 12 },
    { header: '决定日期', value: (r) => r.decided_on, width: 12 },
    { header: '复核', value: (r) => (r.flagged ? '需关注' : r.replay_ok === true ? '规则复核通过' : '未复核'), width: 14 },
    { header: '更新时间（北京）', value: (r) => time(r.updated_at), width: 18 },
  ],
  filters: {
    township: { label: '镇街' },
    matter: { label: '事项' },
    officer: { label: '执法人员' },
    status: { label: '状态', text: statusZh },
    from: { label: '违法日期从' },
    to: { label: '违法日期至' },
    flagged: { label: '标记', text: (v) => (v === 'true' ? '需关注' : '未标记') },
  },
}

type InspectionRow = InspectionPage['rows'][number]

export const INSPECTION_EXPORT: ListExportSpec<InspectionRow> = {
  title: '检查列表',
  columns: [
    { header: '检查编号', value: (r) => r.inspection_id, width: 38 },
    { header: '开始日期', value: (r) => r.started_on, width: 12 },
    { header: '镇街', value: (r) => r.township, width: 12 },
    { header: '检查对象（脱敏）', value: (r) => r.party_masked, width: 16 },
    { header: '执法人员', value: (r) => officers(r.officers), width: 24 },
    { header: '检查项', value: (r) => r.items, width: 8 },
    { header: '不合格', value: (r) => r.failed, width: 8 },
    { header: '状态', value: (r) => statusZh(r.status), width: 12 },
    { header: '更新时间（北京）', value: (r) => time(r.updated_at), width: 18 },
  ],
  filters: {
    township: { label: '镇街' },
    officer: { label: '执法人员' },
    status: { label: '状态', text: statusZh },
    from: { label: '开始日期从' },
    to: { label: '开始日期至' },
    failed: { label: '结果', text: (v) => (v === 'true' ? '有不合格项' : v) },
  },
}

type TaskRow = TaskPage['rows'][number]

export const TASK_EXPORT: ListExportSpec<TaskRow> = {
  title: '任务列表',
  columns: [
    { header: '任务编号', value: (r) => r.task_id, width: 38 },
    { header: '镇街', value: (r) => r.township, width: 12 },
    { header: '类型', value: (r) => KINDS[r.kind] ?? r.kind, width: 12 },
    { header: '状态', value: (r) => statusZh(r.status), width: 10 },
    { header: '更新时间（北京）', value: (r) => time(r.updated_at), width: 18 },
  ],
  filters: {
    township: { label: '镇街' },
    status: { label: '状态', text: statusZh },
    kind: { label: '类型', text: (v) => KINDS[v] ?? v },
  },
}

export const AUDIT_EXPORT: ListExportSpec<AuditRow> = {
  title: '审计日志',
  columns: [
    { header: '序号', value: (r) => r.id, width: 10 },
    { header: '时间（北京）', value: (r) => time(r.at), width: 18 },
    { header: '操作人', value: (r) => r.actor, width: 28 },
    { header: '操作', value: (r) => actionLabel(r.action), width: 22 },
    { header: '操作代码', value: (r) => r.action, width: 22 },
    { header: '对象', value: (r) => r.object, width: 48 },
  ],
  filters: {
    actor: { label: '操作人' },
    action: { label: '操作', text: actionLabel },
    from: { label: '日期从' },
    to: { label: '日期至' },
  },
}

export const EVENT_EXPORT: ListExportSpec<EventRow> = {
  title: '平台事件',
  columns: [
    { header: '来源', value: (r) => r.platform_name, width: 20 },
    { header: '工单号', value: (r) => r.external_id, width: 20 },
    { header: '类型', value: (r) => r.kind_label, width: 12 },
    { header: '镇街', value: (r) => r.township, width: 12 },
    { header: '地点', value: (r) => r.place, width: 24 },
    { header: '内容', value: (r) => r.description, width: 40 },
    { header: '反映人（脱敏）', value: (r) => r.reporter_masked, width: 14 },
    { header: '收到时间（北京）', value: (r) => time(r.received_at), width: 18 },
    { header: '答复期限', value: (r) => replyClock(r), width: 36 },
    { header: '状态', value: (r) => EVENT_STATUS[r.status] ?? r.status, width: 12 },
    { header: '任务编号', value: (r) => r.task_id, width: 38 },
    { header: '案源说明', value: (r) => r.note, width: 30 },
  ],
  filters: {
    status: { label: '状态', text: (v) => EVENT_STATUS[v] ?? v },
    kind: { label: '类型', text: (v) => EVENT_KINDS[v] ?? v },
  },
}
