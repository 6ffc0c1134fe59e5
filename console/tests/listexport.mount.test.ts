import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ExcelJS from 'exceljs'
import ListExport from '../src/components/ListExport.vue'
import { ApiError } from '../src/api/errors'
import type { TaskPage } from '../src/api/client'
import { TASK_EXPORT } from '../src/listcolumns'
import type { PageLoader } from '../src/paged'

type Row = TaskPage['rows'][number]
const row = (i: number): Row => ({ task_id: `t-${i}`, township: '500112108', kind: 'complaint', status: 'done', updated_at: '2026-05-01T00:00:00Z' })

afterEach(() => vi.restoreAllMocks())

function mountWith(load: PageLoader<Row>, empty = false) {
  return mount(ListExport, { props: { spec: TASK_EXPORT, load, filters: { kind: 'complaint' }, empty } } as never)
}

describe('the 导出 Excel button', () => {
  it('is disabled while the list is empty and states the limit', () => {
    const w = mountWith(async () => ({ rows: [] }), true)
    expect(w.get('[data-testid=export-xlsx]').attributes('disabled')).toBeDefined()
    expect(w.text()).toContain('每次最多 10000 条')
  })

  it('downloads every page of the filtered list', async () => {
    const blobs: Blob[] = []
    URL.createObjectURL = vi.fn((b: Blob) => (blobs.push(b), 'blob:x')) as never
    URL.revokeObjectURL = vi.fn()
    const names: string[] = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download)
    })
    const load: PageLoader<Row> = async (q) => (q.after ? { rows: [row(2)], next: null } : { rows: [row(1)], next: 'p2' })
    const w = mountWith(load)
    await w.get('[data-testid=export-xlsx]').trigger('click')
    await vi.waitFor(() => expect(names.length).toBe(1))
    await flushPromises()
    expect(names[0]).toMatch(/^任务列表_类型投诉处置_\d{4}-\d{2}-\d{2}\.xlsx$/)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(await blobs[0].arrayBuffer())
    const ws = wb.getWorksheet('任务列表')!
    expect(ws.getCell('A2').value).toBe('t-1')
    expect(ws.getCell('A3').value).toBe('t-2')
    expect(w.text()).toContain('已导出 2 条')
  })

  it('shows a failing page as the lists do: Chinese words and the code', async () => {
    const w = mountWith(async () => {
      throw new ApiError('forbidden', 403, '')
    })
    await w.get('[data-testid=export-xlsx]').trigger('click')
    await vi.waitFor(() => expect(w.find('[role=alert]').exists()).toBe(true))
    expect(w.get('[role=alert]').text()).toContain('本账号无权进行此操作或查看此内容。（错误代码：forbidden）')
  })
})
