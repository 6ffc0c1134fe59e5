import { describe, expect, it } from 'vitest'
import { discretionOption, marks, positionText, replayText, seesDiscretion, shownLevels, summaryText } from '../src/discretion'
import type { Discretion } from '../src/api/client'

function panel(over: Partial<Discretion> = {}): Discretion {
  return {
    case_id: 'c1',
    matter_code: 'CG-001',
    matter_name: '占道经营',
    party_kind: 'individual',
    outcome: 'penalty',
    chosen_level: 'L2',
    amount_levels: ['L2'],
    clause_band: null,
    amount_fen: 15000,
    suggested_level: 'L2',
    deviation_reason: false,
    release_id: 'R',
    replay: { ok: true, codes: [], messages: [], release_id: 'R', at: '2026-05-01T02:00:00Z' },
    level_fine: { min_fen: 10000, max_fen: 25000 },
    outside_level: false,
    far_from_peers: false,
    position: { below: 2, equal: 1, above: 1, percentile: 62.5 },
    peer_count: 4,
    no_penalty_count: 0,
    levels: [
      { level: 'L1', name: '轻微', fine: { min_fen: 5000, max_fen: 10000 }, count: 0, min_fen: null, q1_fen: null, median_fen: null, q3_fen: null, max_fen: null, chosen: false, suggested: false },
      { level: 'L2', name: '一般', fine: { min_fen: 10000, max_fen: 25000 }, count: 4, min_fen: 12000, q1_fen: 13000, median_fen: 14500, q3_fen: 15500, max_fen: 20000, chosen: true, suggested: true },
      { level: 'L9', name: null, fine: null, count: 0, min_fen: null, q1_fen: null, median_fen: null, q3_fen: null, max_fen: null, chosen: false, suggested: false },
    ],
    k: 1.5,
    min_group: 5,
    ...over,
  }
}

describe('the discretion panel', () => {
  it('is shown to the roles the server allows', () => {
    expect(['legal_review', 'approver', 'supervisor'].every(seesDiscretion)).toBe(true)
    expect(['department', 'command_centre', 'administrator'].some(seesDiscretion)).toBe(false)
  })

  it('draws each level range, the peers as a box in 元 and the case as a point', () => {
    const d = panel()
    expect(shownLevels(d).map((l) => l.level)).toEqual(['L1', 'L2'])
    const o = discretionOption(d)
    expect(o.xAxis.data).toEqual(['L1 轻微', 'L2 一般'])
    expect(o.legend.data).not.toContain('基准下限')
    const [base, range, box, point] = o.series
    expect(base.data).toEqual([50, 100])
    expect(range.data).toEqual([50, 150])
    expect(box.data).toEqual([[], [120, 130, 145, 155, 200]])
    expect(point.data).toEqual([['L2 一般', 150]])
  })

  it('marks a fine outside its level or far from its peers, and an unexplained departure', () => {
    expect(marks(panel()).map((m) => m.type)).toEqual(['success'])
    const bad = marks(panel({ outside_level: true, far_from_peers: true, suggested_level: 'L3' }))
    expect(bad.map((m) => m.type)).toEqual(['danger', 'danger', 'warning'])
    expect(bad[2]?.text).toContain('未写明理由')
    expect(discretionOption(panel({ outside_level: true })).series[3]?.itemStyle?.color).toBe('#d03050')
  })

  it('says where the case falls', () => {
    expect(positionText(panel())).toContain('4 件中，2 件低于本案、1 件相同、1 件高于本案（百分位 63）')
    expect(positionText(panel({ position: null }))).toContain('没有其他')
    expect(positionText(panel({ position: null, amount_fen: null }))).toContain('未处罚款')
  })

  it('gives the server replay: agrees, or differs with its reasons', () => {
    expect(replayText(panel())).toBe('服务器复核一致：按目录 R 重新计算，认可本案决定。')
    const differs = panel({ replay: { ok: false, codes: ['A', 'B'], messages: ['甲', '乙'], release_id: 'R', at: '' } })
    expect(replayText(differs)).toBe('服务器复核不一致：甲（A）；乙（B）。')
    expect(marks(differs).map((m) => m.text)).toEqual(['服务器复核不一致'])
    expect(replayText(panel({ replay: null }))).toContain('尚未复核')
  })

  it('sums the panel up in plain words with the figures of the chosen level', () => {
    const text = summaryText(panel())
    expect(text).toContain('本案适用阶次 L2（一般），罚款 150.00 元')
    expect(text).toContain('裁量基准 100.00 元 至 250.00 元，罚款在区间之内')
    expect(text).toContain('与服务器建议阶次 L2（一般） 一致')
    expect(text).toContain('同阶次其他决定 4 件，罚款最低 120.00 元、下四分位 130.00 元、中位数 145.00 元、上四分位 155.00 元、最高 200.00 元')
    expect(text).toContain('服务器复核一致')
    const away = summaryText(panel({ suggested_level: 'L1', outside_level: true, deviation_reason: true }))
    expect(away).toContain('服务器建议阶次为 L1（轻微），与适用阶次不同（已写明理由）')
    expect(away).toContain('罚款在区间之外')
  })
})
