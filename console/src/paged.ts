/**
 * A record list with its filters in the URL and keyset ("next page")
 * pagination: the filters are read from the route's query; applying them
 * replaces the query (so reload and bookmarks keep them) and loads the
 * first page; "下一页" follows the server's `next` cursor, and "第一页"
 * goes back. Errors keep their stable code for the screen.
 */
import { computed, ref, watch } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { ApiError } from './api/errors'
import { apiQuery, fromQuery, sameFilters, toQuery, type Filters } from './filters'

/** One page of a list as the server gives it: rows and the next cursor. */
export type PageLoader<Row> = (q: Record<string, string | boolean>) => Promise<{ rows: Row[]; next?: string | null }>

/**
 * The most rows one export fetches (issue 17 item 5): 10,000. Above it the
 * export holds the first 10,000 and says so (`export.ts::limitNote`); a
 * longer list is exported in parts by narrowing the filters. It bounds the
 * browser's memory and the server's work (at the lists' default page size,
 * a few hundred requests at most).
 */
export const EXPORT_LIMIT = 10_000

/**
 * The whole filtered list, page after page: the same loader (so the same
 * page size) and the same filters as the list, following the server's
 * `next` cursor until it ends or `limit` rows are held (`truncated` then
 * says there were more). `onPage` hears the count after each page. An
 * error of any page is thrown as it came (an `ApiError` with its code).
 */
export async function fetchAll<Row>(
  load: PageLoader<Row>,
  filters: Filters,
  opts: { limit?: number; onPage?: (count: number) => void } = {},
): Promise<{ rows: Row[]; truncated: boolean }> {
  const limit = opts.limit ?? EXPORT_LIMIT
  const rows: Row[] = []
  let after: string | null = null
  for (;;) {
    const p = await load(apiQuery(filters, after))
    for (const r of p.rows) {
      if (rows.length >= limit) return { rows, truncated: true }
      rows.push(r)
    }
    opts.onPage?.(rows.length)
    const next = p.next ?? null
    // The end, or a cursor that does not move on (never loop forever).
    if (next === null || p.rows.length === 0 || next === after) return { rows, truncated: false }
    after = next
  }
}

export function usePagedList<Row>(keys: readonly string[], load: PageLoader<Row>) {
  const route = useRoute()
  const router = useRouter()
  const filters = ref<Filters>(fromQuery(route.query, keys))
  const rows = ref<Row[]>([]) as { value: Row[] }
  const next = ref<string | null>(null)
  const cursor = ref<string | null>(null)
  const page = ref(1)
  const loading = ref(false)
  const error = ref<ApiError | null>(null)
  /** The filters in force (the URL's), not the form's unapplied edits. */
  const applied = computed(() => fromQuery(route.query, keys))

  async function fetchPage(after: string | null) {
    loading.value = true
    error.value = null
    try {
      const p = await load(apiQuery(fromQuery(route.query, keys), after))
      rows.value = p.rows
      next.value = p.next ?? null
      cursor.value = after
    } catch (e) {
      error.value = e instanceof ApiError ? e : new ApiError('internal', 0, String(e))
      rows.value = []
      next.value = null
    } finally {
      loading.value = false
    }
  }

  function apply() {
    void router.replace({ query: toQuery(filters.value, keys) })
  }

  function reset() {
    filters.value = {}
    apply()
  }

  async function nextPage() {
    if (!next.value) return
    page.value += 1
    await fetchPage(next.value)
  }

  async function firstPage() {
    page.value = 1
    await fetchPage(null)
  }

  watch(
    () => route.query,
    (q, old) => {
      const now = fromQuery(q, keys)
      if (old && sameFilters(now, fromQuery(old, keys))) return
      filters.value = now
      void firstPage()
    },
    { immediate: true },
  )

  return { filters, applied, rows, next, cursor, page, loading, error, apply, reset, nextPage, firstPage }
}
