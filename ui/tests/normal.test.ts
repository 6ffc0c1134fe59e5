import { describe, expect, it } from 'vitest'
import { emptyStepForm, officerStep } from '../src/normal'

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
})
