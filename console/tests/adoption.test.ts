import { describe, expect, it } from 'vitest'
import { changesOf, groups, named, sameSet } from '../src/adoption'
import type { MatterChoice } from '../src/api/client'

function m(code: string, kind: string, published: boolean): MatterChoice {
  return {
    code,
    name: `事项${code}`,
    kind,
    kind_label: kind,
    domain: '城市管理',
    basis: ['《某条例》第1条'],
    fixed: kind !== 'empowered_optional',
    published,
    ticked: published,
    periods: null,
  }
}

const list = [
  m('S1', 'statutory', true),
  m('C1', 'empowered_common', true),
  m('O1', 'empowered_optional', true),
  m('O2', 'empowered_optional', false),
  m('E1', 'entrusted', false),
]

describe('adoption', () => {
  it('shows what the ticks change against the published adoption, optional matters only', () => {
    expect(changesOf(list, new Set(['O1']))).toEqual({ added: [], removed: [] })
    expect(changesOf(list, new Set(['O2']))).toEqual({ added: ['O2'], removed: ['O1'] })
    // A fixed matter ticked or not changes nothing.
    expect(changesOf(list, new Set(['O1', 'S1', 'E1']))).toEqual({ added: [], removed: [] })
  })

  it('groups the matters as the screen shows them', () => {
    const g = groups(list)
    expect(g.optional.map((x) => x.code)).toEqual(['O1', 'O2'])
    expect(g.fixed.map((x) => x.code)).toEqual(['S1', 'C1'])
    expect(g.entrusted.map((x) => x.code)).toEqual(['E1'])
  })

  it('compares sets and names codes', () => {
    expect(sameSet(new Set(['a', 'b']), new Set(['b', 'a']))).toBe(true)
    expect(sameSet(new Set(['a']), new Set(['a', 'b']))).toBe(false)
    expect(named(['O2', 'X'], list)).toBe('O2 事项O2、X')
  })
})
