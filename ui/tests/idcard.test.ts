import { describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import IdCardCapture from '../src/components/IdCardCapture.vue'
import { setBackend } from '../src/backend'

// Issue 19, identity capture: the photographed ID card is read by the
// device (identity_read) and shown for the officer to check; nothing is
// handed to the form until the officer confirms, and what to check is shown.
const field = (value: string, confidence = 99) => ({ value, confidence, from_number: false })
const reading = {
  name: field('周小川'),
  sex: field('男'),
  ethnicity: field('汉'),
  birth_date: { value: '1985-06-12', confidence: 99, from_number: true },
  address: field('重庆市渝北区龙兴镇示例路1号', 72),
  id_number: field('500112198506120030'),
  number_valid: true,
  notes: [{ code: 'OCR_SEX_MISMATCH', message: '证件上的性别“女”与号码中的“男”不一致，请核对' }],
}

async function photograph(w: ReturnType<typeof mount>) {
  const input = w.find('[data-testid=idcard-input]')
  const file = new File([new Uint8Array([0xff, 0xd8, 0xff])], 'card.jpg', { type: 'image/jpeg' })
  Object.defineProperty(input.element, 'files', { value: [file], configurable: true })
  await input.trigger('change')
  await flushPromises()
}

describe('ID card capture', () => {
  it('shows what was read and hands it over only when the officer confirms', async () => {
    const sent: unknown[] = []
    setBackend({
      kind: 'mock',
      async call(command, req) {
        expect(command).toBe('identity_read')
        sent.push(req)
        return reading as never
      },
    })
    const w = mount(IdCardCapture)
    await photograph(w)
    expect((sent[0] as { image_base64: string }).image_base64).toBe('/9j/')
    expect(w.find('[data-testid=idcard-name]').text()).toContain('周小川')
    expect(w.find('[data-testid=idcard-birth_date]').text()).toContain('由号码推出')
    expect(w.find('[data-testid=idcard-address]').text()).toContain('可信度 72%')
    expect(w.find('[data-testid=idcard-note]').text()).toContain('性别')
    expect(w.emitted('accept')).toBeUndefined()
    await w.find('[data-testid=idcard-accept]').trigger('click')
    expect(w.emitted('accept')?.[0]).toEqual([reading])
    expect(w.find('[data-testid=idcard-read]').exists()).toBe(false)
  })

  it('says in Chinese why a photo could not be read, and fills nothing', async () => {
    setBackend({
      kind: 'mock',
      async call() {
        throw { code: 'OCR_NOT_AN_ID_CARD', message: '未识别到居民身份证正面，请拍摄印有姓名和公民身份号码的一面' }
      },
    })
    const w = mount(IdCardCapture)
    await photograph(w)
    expect(w.find('[data-testid=idcard-error]').text()).toContain('未识别到居民身份证正面')
    expect(w.emitted('accept')).toBeUndefined()
  })
})
