/**
 * The adoption screen's arithmetic (issue 17): which optional matters the
 * administrator has ticked against what is published, and the matters
 * grouped as the screen shows them. The server decides (it refuses a
 * matter that is not optional or a township outside the scope); this only
 * shows the difference before saving.
 */
import type { AdoptionChanges, MatterChoice } from './api/client'

/** The difference from the published optional matters to the ticked ones. */
export function changesOf(matters: MatterChoice[], ticked: Set<string>): AdoptionChanges {
  const optional = matters.filter((m) => !m.fixed)
  return {
    added: optional.filter((m) => !m.published && ticked.has(m.code)).map((m) => m.code),
    removed: optional.filter((m) => m.published && !ticked.has(m.code)).map((m) => m.code),
  }
}

/** Whether two sets of codes are the same. */
export function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((c) => b.has(c))
}

/** The screen's three groups: the optional matters to tick, then the
 * fixed ones (statutory and common), then the entrusted ones. */
export function groups(matters: MatterChoice[]): { optional: MatterChoice[]; fixed: MatterChoice[]; entrusted: MatterChoice[] } {
  return {
    optional: matters.filter((m) => !m.fixed),
    fixed: matters.filter((m) => m.fixed && m.kind !== 'entrusted'),
    entrusted: matters.filter((m) => m.kind === 'entrusted'),
  }
}

/** A change list in words, `CG-011 占道经营、…`. */
export function named(codes: string[], matters: MatterChoice[]): string {
  return codes.map((c) => `${c} ${matters.find((m) => m.code === c)?.name ?? ''}`.trim()).join('、')
}
