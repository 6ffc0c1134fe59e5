/**
 * A record list with its filters in the URL and keyset ("next page")
 * pagination: the filters are read from the route's query; applying them
 * replaces the query (so reload and bookmarks keep them) and loads the
 * first page; "下一页" follows the server's `next` cursor, and "第一页"
 * goes back. Errors keep their stable code for the screen.
 */
import { ref, watch } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { ApiError } from './api/errors'
import { apiQuery, fromQuery, sameFilters, toQuery, type Filters } from './filters'

export function usePagedList<Row>(
  keys: readonly string[],
  load: (q: Record<string, string | boolean>) => Promise<{ rows: Row[]; next?: string | null }>,
) {
  const route = useRoute()
  const router = useRouter()
  const filters = ref<Filters>(fromQuery(route.query, keys))
  const rows = ref<Row[]>([]) as { value: Row[] }
  const next = ref<string | null>(null)
  const cursor = ref<string | null>(null)
  const page = ref(1)
  const loading = ref(false)
  const error = ref<ApiError | null>(null)

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

  return { filters, rows, next, cursor, page, loading, error, apply, reset, nextPage, firstPage }
}
