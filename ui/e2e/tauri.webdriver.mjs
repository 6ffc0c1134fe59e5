// WebDriver smoke test of the real desktop app: tauri-driver (wrapping
// Debian's WebKitWebDriver) starts the built zhifa-app; we sign in with the
// sample officer, search the catalogue and open a matter — all through
// real Tauri IPC into the shared command layer. A small W3C WebDriver
// client over fetch (no extra packages). Usage:
//   node tauri.webdriver.mjs APP_BINARY [DRIVER_URL]
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const app = process.argv[2]
const driver = process.argv[3] || 'http://127.0.0.1:4444'
if (!app) throw new Error('usage: tauri.webdriver.mjs APP_BINARY [DRIVER_URL]')
const out = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'test-results')
mkdirSync(out, { recursive: true })
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf'

async function wd(method, path, body) {
  const res = await fetch(`${driver}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const json = await res.json()
  if (!res.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json.value)}`)
  return json.value
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function find(sid, css, timeoutMs = 20000) {
  const end = Date.now() + timeoutMs
  for (;;) {
    try {
      const v = await wd('POST', `/session/${sid}/element`, { using: 'css selector', value: css })
      return v[ELEMENT]
    } catch (e) {
      if (Date.now() > end) throw new Error(`not found: ${css} (${e.message})`)
      await sleep(200)
    }
  }
}

async function textOf(sid, css) {
  return wd('GET', `/session/${sid}/element/${await find(sid, css)}/text`)
}

async function shot(sid, name) {
  const b64 = await wd('GET', `/session/${sid}/screenshot`)
  writeFileSync(join(out, `tauri-${name}.png`), Buffer.from(b64, 'base64'))
}

const t0 = Date.now()
const session = await wd('POST', '/session', {
  capabilities: { alwaysMatch: { browserName: 'wry', 'tauri:options': { application: app } } },
})
const sid = session.sessionId
let ok = false
try {
  const pin = await find(sid, '[data-testid=pin] input')
  const firstScreenMs = Date.now() - t0
  await wd('POST', `/session/${sid}/element/${pin}/value`, { text: '246813' })
  await wd('POST', `/session/${sid}/element/${await find(sid, '[data-testid=signin-submit]')}/click`, {})
  await wd('POST', `/session/${sid}/element/${await find(sid, '[data-testid=search-catalogue]')}/click`, {})
  const search = await find(sid, '[data-testid=search] input')
  await wd('POST', `/session/${sid}/element/${search}/value`, { text: 'zdjy' })
  await wd('POST', `/session/${sid}/element/${await find(sid, '[data-testid=hit-CG-001]')}/click`, {})
  const head = await textOf(sid, '[data-testid=matter-head]')
  if (!head.includes('占道经营')) throw new Error(`matter head: ${head}`)
  await find(sid, '[data-testid=provision]')
  await shot(sid, 'matter')
  console.log(`webdriver: sign-in screen after ${firstScreenMs} ms; signed in, searched "zdjy", opened ${head.split('\n')[0]}`)
  // The sync screen: with a server (scripts/webdriver.sh with
  // ZHIFA_SERVER_BIN) the app enrolled itself at start and its background
  // sync reaches "ok"; without one it says the device is not enrolled.
  await wd('POST', `/session/${sid}/execute/sync`, { script: "location.hash = '#/sync'", args: [] })
  const want = process.env.ZHIFA_SERVER_URL ? 'ok' : 'not_enrolled'
  const t1 = Date.now()
  let state = ''
  while (Date.now() - t1 < 30000) {
    state = await wd('POST', `/session/${sid}/execute/sync`, {
      script: "const e = document.querySelector('[data-testid=sync-state]'); return e ? e.getAttribute('data-state') : ''",
      args: [],
    })
    if (state === want) break
    await sleep(250)
  }
  if (state !== want) throw new Error(`sync screen state ${state}, expected ${want}`)
  await shot(sid, 'sync')
  console.log(`webdriver: sync screen shows ${state}${process.env.ZHIFA_SERVER_URL ? ` against ${process.env.ZHIFA_SERVER_URL}` : ''}`)
  ok = true
} finally {
  await wd('DELETE', `/session/${sid}`).catch(() => undefined)
}
console.log(`webdriver: ${ok ? 1 : 0} passed, ${ok ? 0 : 1} failed`)
process.exit(ok ? 0 : 1)
