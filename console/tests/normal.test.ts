import { describe, expect, it } from 'vitest'
import { REVIEW_CHECKLIST, buildStep, emptyForm, hearingTime, offered, parseInstalments, reviewStep, stepsOfRole, yuanToFen } from '../src/normal'

describe('the normal procedure on the console', () => {
  it('offers each role only its own steps, and only those a stage wants', () => {
    expect(offered('approver', 'case_source')).toEqual(['file', 'decline_filing'])
    expect(offered('legal_review', 'case_source')).toEqual([])
    expect(offered('legal_review', 'investigation_ended')).toEqual(['review_case'])
    expect(offered('administrator', 'closed')).toEqual(['archive'])
    expect(offered('department', 'closed')).toEqual([])
    for (const s of stepsOfRole('legal_review')) expect(stepsOfRole('approver')).not.toContain(s)
  })

  it('offers the 负责人 the 催告 of an unpaid fine, which issues its 催告书 on the server', () => {
    expect(offered('approver', 'executing')).toContain('remind')
    expect(offered('legal_review', 'executing')).not.toContain('remind')
    expect(offered('approver', 'reminded')).toContain('apply_to_court')
    expect(buildStep('remind', emptyForm())).toEqual({ step: 'remind' })
  })

  it('lets only the 负责人 record a revocation, with its reason and source, after which only 归档 is offered', () => {
    for (const stage of ['decided', 'served', 'published', 'executing', 'reminded', 'court_applied', 'closed']) {
      expect(offered('approver', stage)).toContain('revoke')
      expect(offered('legal_review', stage)).not.toContain('revoke')
    }
    for (const stage of ['case_source', 'filed', 'informed', 'collectively_discussed']) expect(offered('approver', stage)).not.toContain('revoke')
    expect(offered('approver', 'revoked')).toEqual([])
    expect(offered('administrator', 'revoked')).toEqual(['archive'])
    const f = emptyForm()
    expect(buildStep('revoke', f)).toBe('请填写撤销理由')
    f.reason = ' 认定事实不清 '
    expect(buildStep('revoke', f)).toBe('请填写撤销依据（复议决定书、判决书文号或者自行纠错）')
    f.source = ' 渝北府复决〔2026〕1号 '
    expect(buildStep('revoke', f)).toEqual({ step: 'revoke', reason: '认定事实不清', source: '渝北府复决〔2026〕1号' })
  })

  it('turns typed 元 into integer fen without floating point', () => {
    expect(yuanToFen('8000')).toBe(800000)
    expect(yuanToFen('8,000.5')).toBe(800050)
    expect(yuanToFen('0.07')).toBe(7)
    expect(yuanToFen('19.99')).toBe(1999)
    for (const bad of ['', '1.234', '-5', 'abc', '1e3']) expect(yuanToFen(bad)).toBeNull()
  })

  it('builds each step or says what is missing', () => {
    const f = emptyForm()
    expect(buildStep('decline_filing', f)).toBe('请填写理由')
    f.reason = '  不属于本机关管辖  '
    expect(buildStep('decline_filing', f)).toEqual({ step: 'decline_filing', reason: '不属于本机关管辖' })
    expect(buildStep('decide', f)).toBe('请填写罚款金额（元，最多两位小数）')
    f.fineYuan = '8000'
    expect(buildStep('decide', f)).toEqual({
      step: 'decide',
      outcome: { outcome: 'penalty', penalty: { kinds: ['fine'], fine_fen: 800000, confiscation_fen: 0 } },
      number: '',
    })
    f.decision = 'not_established'
    expect(buildStep('decide', f)).toEqual({ step: 'decide', outcome: { outcome: 'not_established' }, number: '' })
    expect(buildStep('investigate', f)).toBe('此步骤由执法人员在终端办理')
    f.attendees = '张三、李四，王五'
    f.conclusion = '同意'
    expect(buildStep('discuss_collectively', f)).toEqual({ step: 'discuss_collectively', attendees: ['张三', '李四', '王五'], conclusion: '同意' })
  })

  it('reads a 分期 plan line by line into fen, the last day its end', () => {
    expect(parseInstalments('')).toEqual([])
    expect(parseInstalments('2026-04-30 1500\n 2026-05-29，1,500.50元 ')).toEqual([
      { due: '2026-04-30', amount_fen: 150000 },
      { due: '2026-05-29', amount_fen: 150050 },
    ])
    expect(parseInstalments('2026-04-30 1500')).toBe('分期缴纳至少分为两期；一次缴清的请只填最后缴纳日')
    expect(parseInstalments('2026-04-30 1500\n明天 1500')).toBe('第2行应为“缴纳日 金额（元）”，如 2026-04-30 1500')
    expect(parseInstalments('2026-04-30 0\n2026-05-29 1')).toBe('第1行应为“缴纳日 金额（元）”，如 2026-04-30 1500')
    const f = emptyForm()
    expect(buildStep('approve_deferral', f)).toBe('请填写延期（分期）的最后缴纳日')
    f.until = '2026-06-30'
    expect(buildStep('approve_deferral', f)).toEqual({ step: 'approve_deferral', until: '2026-06-30' })
    f.instalments = '2026-04-30 1500\n2026-05-29 1500'
    expect(buildStep('approve_deferral', f)).toEqual({
      step: 'approve_deferral',
      until: '2026-05-29',
      instalments: [
        { due: '2026-04-30', amount_fen: 150000 },
        { due: '2026-05-29', amount_fen: 150000 },
      ],
    })
  })

  it('writes the 法制审核 outcome with every item that failed', () => {
    const all = reviewStep('pass', REVIEW_CHECKLIST, '同意')
    expect(all.passed).toBe(true)
    expect(all.opinion).toContain('各审核项均符合')
    const some = reviewStep('return', REVIEW_CHECKLIST.slice(1), '请补充证据')
    expect(some.passed).toBe(false)
    expect(some.opinion).toContain('退回补充调查')
    expect(some.opinion).toContain(REVIEW_CHECKLIST[0])
    expect(some.qualification).toBe('')
    expect(some.checklist?.[0]).toEqual({ point: REVIEW_CHECKLIST[0], finding: '不符合' })
    expect(some.checklist?.slice(1).every((i) => i.finding === '符合')).toBe(true)
  })

  it('sends the 听证通知 with its place and time (《行政处罚法》第六十四条第二项)', () => {
    const f = emptyForm()
    f.hearingOn = '2026-03-25'
    f.presider = 'LR-1'
    expect(buildStep('notice_hearing', f)).toBe('请填写听证地点')
    f.hearingPlace = '镇政府三楼听证室'
    expect(buildStep('notice_hearing', f)).toEqual({ step: 'notice_hearing', hearing_on: '2026-03-25', presider: 'LR-1', place: '镇政府三楼听证室', time: null })
    f.hearingTime = '9:30'
    expect(buildStep('notice_hearing', f)).toMatchObject({ time: '09:30:00' })
    f.hearingTime = '25:00'
    expect(buildStep('notice_hearing', f)).toBe('听证时间应为“时:分”，如 09:30')
    expect(hearingTime(' ')).toBeNull()
    expect(hearingTime('14：05')).toBe('14:05:00')
  })

  it('records the 听证笔录 with the signature or the presider\'s note of a refusal (第六十四条第八项)', () => {
    const f = emptyForm()
    expect(buildStep('hold_hearing', f)).toBe('请填写调查人员提出的事实、证据和处罚建议')
    f.investigatorsCase = '出示照片三张'
    f.partyStatement = '临时堆放'
    f.crossExamination = '对面积有异议'
    expect(buildStep('hold_hearing', f)).toBe('请填写签字（盖章）的当事人或代理人')
    f.minutesSigned = 'refused'
    expect(buildStep('hold_hearing', f)).toBe('请填写听证主持人对拒绝签字的注明')
    f.refusalNote = '阅后拒签'
    f.attendees = '周主持、吴记录，李四'
    f.hearingOpinion = '维持'
    expect(buildStep('hold_hearing', f)).toEqual({
      step: 'hold_hearing',
      party_attended: true,
      minutes: {
        attendees: ['周主持', '吴记录', '李四'],
        recorder: '',
        agent: null,
        investigators_case: '出示照片三张',
        party_statement: '临时堆放',
        cross_examination: '对面积有异议',
        signature: { kind: 'refused', note: '阅后拒签' },
        opinion: '维持',
      },
    })
    const absent = emptyForm()
    absent.partyAttended = false
    expect(buildStep('hold_hearing', absent)).toEqual({ step: 'hold_hearing', party_attended: false, minutes: { attendees: [], opinion: '', signature: { kind: 'unrecorded' } } })
  })
})
