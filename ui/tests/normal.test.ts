import { describe, expect, it } from 'vitest'
import { INSPECTION, SAVE_NOTICE, beijingMinute, emptyStepForm, needsRecord, officerRecord, officerStep, parseItems } from '../src/normal'

describe("the officer's normal-procedure steps", () => {
  it('sends a proposal in integer fen, or none for 不予处罚', () => {
    const f = emptyStepForm()
    expect(officerStep('end_investigation', f)).toEqual({ step: 'end_investigation', review_grounds: [], complex_or_major: false })
    f.fineYuan = '8000.5'
    f.grounds = ['major_rights']
    expect(officerStep('end_investigation', f)).toEqual({ step: 'end_investigation', fine_fen: 800050, review_grounds: ['major_rights'], complex_or_major: false })
    f.fineYuan = '8,000'
    expect(officerStep('end_investigation', f)).toBe('拟罚款金额应为元，最多两位小数')
  })

  it('refuses a 告知 without facts, reasons and basis (Art. 44) and splits the basis', () => {
    const f = emptyStepForm()
    f.fineYuan = '8000'
    expect(officerStep('inform', f)).toContain('第四十四条')
    f.facts = '占道经营'
    f.reasons = '违反条例'
    f.basis = '《条例》第十八条第二款；《条例》第十八条第一款'
    f.hearingOffered = true
    expect(officerStep('inform', f)).toEqual({
      step: 'inform',
      fine_fen: 800000,
      facts: '占道经营',
      reasons: '违反条例',
      basis: ['《条例》第十八条第二款', '《条例》第十八条第一款'],
      hearing_offered: true,
    })
  })

  it('leaves the centre its own steps', () => {
    expect(officerStep('decide', emptyStepForm())).toBe('此步骤由中心办理')
    const f = emptyStepForm()
    f.waiveStatement = false
    f.waiveHearing = false
    expect(officerStep('waive', f)).toBe('请选择当事人放弃的权利')
    f.paidYuan = '0'
    expect(officerStep('confirm_payment', f)).toBe('请填写实缴金额')
  })

  describe('the records written with a step', () => {
    const signedBy = (name: string) => ({ kind: 'signed' as const, signer_name: name, signature_png_base64: 'iVBORw0KGgo=', refusal_reason: null, witness: null })
    const refusal = (reason: string) => ({ kind: 'refused' as const, signer_name: null, signature_png_base64: null, refusal_reason: reason, witness: '李四' })

    it('writes the 询问笔录 with every question answered and the party signed', () => {
      const f = emptyStepForm()
      f.start = '2026-12-07T09:00'
      f.end = '2026-12-07T09:20'
      f.recordPlace = '执法办公室'
      f.qa = [{ question: '是否占道？', answer: '  ' }]
      expect(officerRecord('investigate', f, signedBy('张三'))).toBe('询问笔录每一问都须有问有答')
      expect(officerRecord('investigate', f, null)).toBe('请当事人签名，或注明拒绝签名的情况')
      f.qa = [{ question: ' 是否占道？', answer: '是。 ' }]
      expect(officerRecord('investigate', f, signedBy('张三'))).toMatchObject({
        record: 'interview',
        qa: [{ question: '是否占道？', answer: '是。' }],
        relation: '当事人本人',
        signature: { kind: 'signed', signer_name: '张三' },
      })
      f.end = '2026-12-07T08:59'
      expect(officerRecord('investigate', f, signedBy('张三'))).toBe('结束时间不能早于开始时间')
      f.act = '抽样取证'
      expect(officerRecord('investigate', f, null)).toBeNull()
    })

    it('asks service in person for its 送达回证 and electronic service for the signed 确认书', () => {
      const f = emptyStepForm()
      f.end = '2026-12-07T10:00'
      expect(needsRecord('serve', f)).toBe(true)
      expect(officerRecord('serve', f, signedBy('张三'))).toBe('请填写送达地点')
      f.recordPlace = '当事人住所'
      expect(officerRecord('serve', f, refusal('拒收'))).toMatchObject({ record: 'service_receipt', received_at: '2026-12-07T10:00', signature: { kind: 'refused', witness: '李四' } })
      f.method = 'left_at_address'
      expect(officerRecord('serve', f, signedBy('张三'))).toContain('第八十九条')
      f.method = 'electronic'
      expect(officerRecord('serve', f, refusal('不同意'))).toContain('第六十一条')
      expect(officerRecord('serve', f, signedBy('张三'))).toBe('请填写当事人同意的电子送达方式（如手机号码）')
      f.channels = '短信 13800000000；电子邮箱 a@example.invalid'
      expect(officerRecord('serve', f, signedBy('张三'))).toMatchObject({ record: 'service_consent', channels: ['短信 13800000000', '电子邮箱 a@example.invalid'] })
      f.method = 'post'
      expect(officerRecord('serve', f, null)).toBeNull()
    })

    it('writes a 陈述申辩笔录 only when the party stated a case', () => {
      const f = emptyStepForm()
      expect(officerRecord('hear_statement', f, null)).toBeNull()
      f.statement = '是临时堆放'
      f.start = '2026-12-07T09:00'
      f.end = '2026-12-07T09:10'
      f.recordPlace = '办公室'
      expect(officerRecord('hear_statement', f, signedBy('张三'))).toMatchObject({ record: 'statement', statement: '是临时堆放', evidence_offered: undefined })
    })

    it('gives Beijing minutes', () => {
      expect(beijingMinute(new Date('2026-12-07T01:02:30Z'))).toBe('2026-12-07T09:02')
      expect(beijingMinute(new Date('2026-12-07T16:30:00Z'), 45)).toBe('2026-12-08T01:15')
    })
  })

  it('asks for a 先行登记保存 with what and why, and writes its 清单', () => {
    const f = emptyStepForm()
    expect(officerStep('request_save', f)).toContain('第五十六条')
    f.saveItems = '脚手架钢管 40根'
    f.saveReason = '可能被转移'
    expect(officerStep('request_save', f)).toEqual({ step: 'request_save', items: '脚手架钢管 40根', reason: '可能被转移' })
    expect(parseItems('脚手架钢管 40根\n 三轮车  1辆 ')).toEqual([
      { name: '脚手架钢管', quantity: '40根' },
      { name: '三轮车', quantity: '1辆' },
    ])
    expect(parseItems('只有名称')).toBeNull()
    f.act = SAVE_NOTICE
    expect(needsRecord('investigate', f)).toBe(true)
    const refused = { kind: 'refused' as const, signer_name: null, signature_png_base64: null, refusal_reason: '拒签', witness: null }
    expect(officerRecord('investigate', f, refused)).toBe('请填写保存地点')
    f.storagePlace = '执法队仓库'
    expect(officerRecord('investigate', f, refused)).toMatchObject({
      record: 'preservation',
      items: [{ name: '脚手架钢管', quantity: '40根' }],
      storage_place: '执法队仓库',
      signature: { kind: 'refused', refusal_reason: '拒签' },
    })
  })

  it('writes the 现场检查（勘验）笔录 with what was found', () => {
    const f = emptyStepForm()
    f.act = INSPECTION
    f.start = '2026-12-07T09:00'
    f.end = '2026-12-07T09:30'
    f.recordPlace = '示例路12号'
    const signedBy = { kind: 'signed' as const, signer_name: '张三', signature_png_base64: 'iVBORw0KGgo=', refusal_reason: null, witness: null }
    expect(needsRecord('investigate', f)).toBe(true)
    expect(officerRecord('investigate', f, signedBy)).toBe('请填写检查情况及结果')
    f.findings = ' 占道约6平方米 '
    expect(officerRecord('investigate', f, signedBy)).toMatchObject({ record: 'inspection', findings: '占道约6平方米', place: '示例路12号' })
  })
})
