import { describe, expect, it } from 'vitest'
import { fromBase64, parseYuan, rangeText, toBase64, yuan } from '../src/util/format'

describe('money formatting (integer fen)', () => {
  it('formats fen as yuan', () => {
    expect(yuan(15000)).toBe('150元')
    expect(yuan(15050)).toBe('150.50元')
    expect(yuan(5)).toBe('0.05元')
    expect(rangeText({ min_fen: 10000, max_fen: 25000 })).toBe('100–250元')
    expect(rangeText({ min_fen: 20000, max_fen: 20000 })).toBe('200元')
  })
  it('parses what an officer types and refuses the rest', () => {
    expect(parseYuan('150')).toBe(15000)
    expect(parseYuan(' 150.5 ')).toBe(15050)
    expect(parseYuan('0.01')).toBe(1)
    for (const bad of ['', '1.234', '-5', '1e3', '１５０', 'abc']) expect(parseYuan(bad)).toBeNull()
  })
  it('round-trips bytes through base64, including large photos', () => {
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 31) % 256)
    expect(fromBase64(toBase64(bytes))).toEqual(bytes)
  })
})

describe('business-licence QR', () => {
  it('finds the USCC in what the scanner read', async () => {
    const { usccIn } = await import('../src/util/platform')
    expect(usccIn('https://www.gsxt.gov.cn/index?uniscid=91500000MA5U7Y8K2C&x=1')).toBe('91500000MA5U7Y8K2C')
    expect(usccIn('hello')).toBeNull()
  })
})
