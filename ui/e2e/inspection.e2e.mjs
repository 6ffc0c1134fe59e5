// End-to-end: Debian's Chromium drives `zhifa web` (fresh data folder,
// embedded sample defaults) through one joint inspection (综合查一次) at
// phone (390×844) and tablet (768×1024) size: two scenarios merged into one
// checklist over at least three departments, every item marked, one failure
// ordered to correct and one referred to its department, the party's
// signature, then the 现场检查（勘验）笔录 PDF, the order and the referral on
// the last screen. On the checklist the officer shows the 亮码: the device
// (enrolled with a real `zhifa-server --demo`) makes it offline, the
// party's browser opens its link on the server's public page, which says
// 验证通过 and takes one rating, and the same link with one character
// changed shows 亮码无效. Screenshots go to ui/test-results/. Needs
// ZHIFA_BIN (the built `zhifa`), ZHIFA_SERVER_BIN (default: the
// `zhifa-server` beside it) and ui/dist.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bin, launchBrowser, out, sizes, startServer, startSyncServer } from './harness.mjs'

/** A unified social credit code with its GB 32100-2015 check character. */
function uscc(body) {
  const chars = '0123456789ABCDEFGHJKLMNPQRTUWXY'
  const w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
  const sum = [...body].reduce((s, c, i) => s + chars.indexOf(c) * w[i], 0)
  return body + chars[(31 - (sum % 31)) % 31]
}

const FAIL = {
  'JC-CG-03': { note: '门店牌匾右侧灯箱破损，字体残缺', kind: 'order', text: '修复或者更换破损的门店牌匾标识' },
  'JC-SC-07': { note: '收银台处未设置不向未成年人销售烟酒标志', kind: 'referral', text: '烟酒销售标志管理属市场监督管理部门职责' },
}

async function runInspection(browser, url, size) {
  const phone = size.name === 'phone'
  const ctx = await browser.newContext({
    viewport: { width: size.width, height: size.height },
    deviceScaleFactor: 2,
    isMobile: phone,
    hasTouch: phone,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  })
  const page = await ctx.newPage()
  const errors = []
  page.on('pageerror', (e) => errors.push(String(e)))
  const tap = async (testid) => {
    const el = page.getByTestId(testid).first()
    await el.waitFor({ state: 'visible' })
    await el.click()
  }
  const shot = async (name) => {
    await page.waitForTimeout(350)
    await page.screenshot({ path: join(out, `${size.name}-insp-${name}.png`), fullPage: name === 'checklist' })
  }
  const fill = async (testid, text) => page.getByTestId(testid).locator('input, textarea').first().fill(text)

  // The first load may wait for the sample catalogue import on a busy
  // machine; a page that came up before the service was ready is reloaded.
  const pin = page.getByTestId('pin').locator('input')
  for (let attempt = 0; ; attempt++) {
    await page.goto(url)
    try {
      await pin.waitFor({ timeout: 40000 })
      break
    } catch (e) {
      await page.screenshot({ path: join(out, `${size.name}-insp-signin-wait-${attempt}.png`) })
      if (attempt >= 2) throw e
    }
  }
  await page.getByTestId('pin').locator('input').fill('246813')
  await page.getByTestId('signin-submit').click()
  await tap('inspections')
  await page.getByTestId('screen-inspections').waitFor()
  await tap('new-inspection')
  await page.getByTestId('screen-insp-new').waitFor()
  await tap('scenario-CJ-XXSC')
  await tap('scenario-CJ-ZHDP')
  const merged = await page.getByTestId('merged-departments').innerText()
  const n = Number(/涉及 (\d+) 个部门/.exec(merged)?.[1] ?? 0)
  if (n < 3) throw new Error(`merged departments: ${merged}`)
  await fill('insp-place', `龙兴镇龙华大道88号（${size.name}）`)
  await fill('insp-party-name', '重庆市渝北区龙兴便民超市有限公司')
  await fill('insp-party-id', uscc('91500112MA5U7XK3A'))
  await fill('insp-party-rep', '李四')
  await fill('insp-party-address', '龙兴镇龙华大道88号')
  await shot('new')
  await tap('insp-start')

  await page.getByTestId('screen-insp-checklist').waitFor()
  const badge = await showBadge(page, ctx, tap, shot, size.name)
  const items = await page.locator('[data-testid^="item-"]').evaluateAll((els) => els.map((e) => e.dataset.testid.slice(5)))
  if (items.length !== new Set(items).size) throw new Error(`duplicate items: ${items}`)
  if (!items.includes('JC-CG-03') || !items.includes('JC-SC-07')) throw new Error(`items: ${items}`)
  for (const code of items) {
    const f = FAIL[code]
    if (!f) {
      await tap(`pass-${code}`)
      await page.getByTestId(`item-${code}`).locator('.van-tag').waitFor()
      continue
    }
    await tap(`fail-${code}`)
    await fill(`note-${code}`, f.note)
    await tap(`fail-save-${code}`)
    await tap(f.kind === 'order' ? `kind-order-${code}` : `kind-referral-${code}`)
    await fill(`outcome-text-${code}`, f.text)
    await tap(`decide-${code}`)
    await page.getByTestId(`outcome-${code}`).waitFor()
  }
  await shot('checklist')
  await tap('insp-to-finish')

  await page.getByTestId('screen-insp-finish').waitFor()
  await fill('insp-signer', '李四')
  const pad = await page.getByTestId('signature').boundingBox()
  await page.mouse.move(pad.x + 30, pad.y + pad.height / 2)
  await page.mouse.down()
  for (let i = 1; i <= 20; i++) {
    await page.mouse.move(pad.x + 30 + i * ((pad.width - 60) / 20), pad.y + pad.height / 2 + Math.cos(i / 2) * pad.height * 0.25)
  }
  await page.mouse.up()
  await shot('sign')
  await tap('insp-finish')

  await page.getByTestId('screen-insp-done').waitFor()
  await page.getByTestId('record-pdf').waitFor()
  const pdf = await page.evaluate(async () => {
    const a = document.querySelector('[data-testid=download-record]')
    const buf = new Uint8Array(await (await fetch(a.href)).arrayBuffer())
    return { head: String.fromCharCode(...buf.slice(0, 5)), size: buf.length, name: a.getAttribute('download') }
  })
  if (pdf.head !== '%PDF-' || pdf.size < 5000) throw new Error(`bad record PDF ${JSON.stringify(pdf)}`)
  const orders = await page.getByTestId('order-row').count()
  const referrals = await page.getByTestId('referral-row').allInnerTexts()
  if (orders !== 1) throw new Error(`${orders} orders`)
  if (referrals.length !== 1 || !referrals[0].includes('市场监督管理局')) throw new Error(`referrals: ${referrals}`)
  await shot('done')

  // The follow-up check of the order is a task now.
  await tap('insp-back')
  await page.getByTestId('screen-inspections').waitFor()
  await page.getByTestId('task').first().waitFor()
  const tasks = await page.getByTestId('task').allInnerTexts()
  if (!tasks.some((t) => t.includes('复查'))) throw new Error(`tasks: ${tasks}`)
  await shot('list')
  // Sign out: the next run starts at the sign-in screen.
  await page.goto(new URL('/settings', url).href)
  await page.getByTestId('sign-out').click()
  await page.getByTestId('pin').waitFor()
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`)
  await ctx.close()
  return { size: size.name, badge, items: items.length, departments: n, orders, referrals: referrals.length, record_pdf_bytes: pdf.size, record_pdf: pdf.name }
}

/** Asks the device's sync worker to run now and waits until nothing is left to push. */
async function syncAll(page) {
  const api = (command, body) => page.evaluate(async ([c, b]) => {
    const r = await fetch(`/api/${c}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) })
    return { status: r.status, body: await r.json() }
  }, [command, body])
  const now = await api('sync_now', { reason: 'manual' })
  if (now.status !== 200) throw new Error(`sync_now: HTTP ${now.status} ${JSON.stringify(now.body)}`)
  for (let i = 0; i < 120; i++) {
    const st = await api('sync_status', {})
    if (st.status === 200 && st.body.counts.pending === 0) return
    await page.waitForTimeout(500)
  }
  throw new Error('sync: records still pending after 60 s')
}

/** 亮码: open it, verify it on the server as the party's phone would, rate, then tamper one character. */
async function showBadge(page, ctx, tap, shot, sizeName) {
  await tap('insp-badge')
  await page.getByTestId('screen-insp-badge').waitFor()
  const link = page.getByTestId('badge-link')
  await link.waitFor()
  const href = await link.getAttribute('href')
  const token = await link.getAttribute('data-token')
  if (!href.endsWith(`/V/${token}`) || token.includes('.')) throw new Error(`badge link ${href} does not carry its short token`)
  const officer = await page.getByTestId('badge-officer').innerText()
  const credential = await page.getByTestId('badge-credential').innerText()
  const items = await page.getByTestId('badge-items').locator('li').count()
  if (!officer || !/^渝执\d+$/.test(credential) || items < 3) throw new Error(`badge shows ${officer} ${credential} ${items} items`)
  // QR size: the SVG is drawn at 4 units per module plus a 4-module quiet zone each side.
  const svg = decodeURIComponent((await page.getByTestId('badge-qr').getAttribute('src')).replace(/^data:image\/svg\+xml;charset=utf-8,/, ''))
  const modules = Number(/width="(\d+)"/.exec(svg)?.[1] ?? 0) / 4 - 8
  // Issue 19: at most 57×57 modules (QR version 10), so it reads when shown small.
  if (!(modules >= 21 && modules <= 57)) throw new Error(`badge QR ${modules} modules: ${svg.slice(0, 120)}`)
  await shot('badge')

  // A rating belongs to an inspection the server holds (issue 13): the
  // officer's device syncs first, as it does in the background on patrol.
  await syncAll(page)

  // The party's phone: the server's public page, no app, no sign-in.
  const party = await ctx.newPage()
  const resp = await party.goto(href)
  if (resp.status() !== 200) throw new Error(`verification page HTTP ${resp.status()}`)
  const verdict = await party.locator('main').getAttribute('data-badge-result')
  const text = await party.locator('main').innerText()
  if (verdict !== 'verified' || !text.includes('亮码验证通过') || !text.includes(officer) || !text.includes(credential)) {
    throw new Error(`verification page: ${verdict} ${text.slice(0, 200)}`)
  }
  await party.screenshot({ path: join(out, `${sizeName}-badge-verified.png`), fullPage: true })
  await party.locator('input[name=rating][value=satisfied]').check()
  await party.locator('textarea[name=comment]').fill('出示证件，检查规范')
  await Promise.all([party.waitForNavigation(), party.locator('#rating button[type=submit]').click()])
  const rated = await party.locator('main').getAttribute('data-badge-result')
  if (rated !== 'rated' || !(await party.locator('#rated').innerText()).includes('满意')) throw new Error(`rating: ${rated}`)
  // One character of the token changed: refused with a stable code.
  const i = Math.floor(token.length / 3)
  const bad = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1)
  const badResp = await party.goto(href.replace(token, bad))
  const badVerdict = await party.locator('main').getAttribute('data-badge-result')
  if (badResp.status() !== 422 || !badVerdict.startsWith('badge_') || !(await party.locator('main').innerText()).includes('亮码无效')) {
    throw new Error(`tampered token: HTTP ${badResp.status()} ${badVerdict}`)
  }
  await party.screenshot({ path: join(out, `${sizeName}-badge-tampered.png`) })
  await party.close()

  await page.locator('.van-nav-bar__left').click()
  await page.getByTestId('screen-insp-checklist').waitFor()
  return { items, tampered: badVerdict, token_chars: token.length, url_chars: href.length, qr_modules: modules }
}

mkdirSync(out, { recursive: true })
const data = mkdtempSync(join(tmpdir(), 'zhifa-e2e-insp-'))
const serverData = mkdtempSync(join(tmpdir(), 'zhifa-e2e-insp-server-'))
const sync = await startSyncServer(serverData)
// Enrolled before its first start, so it holds a 亮码 certificate.
execFileSync(bin, ['--data', data, 'enrol', '--server', sync.url, '--code', sync.code('OFF-LX-01')], { stdio: 'inherit' })
const { child, url } = await startServer(data)
const browser = await launchBrowser()
let failed = 0
const results = []
try {
  for (const size of sizes) {
    try {
      const r = await runInspection(browser, url, size)
      results.push(r)
      console.log(`e2e inspection ${size.name}: 亮码 verified, rated, one changed character → ${r.badge.tampered} (token ${r.badge.token_chars} chars, URL ${r.badge.url_chars}, QR ${r.badge.qr_modules}×${r.badge.qr_modules} modules, ${r.badge.items} items); ${r.items} items over ${r.departments} departments, ${r.orders} order, ${r.referrals} referral; record PDF ${r.record_pdf_bytes} bytes (${r.record_pdf})`)
    } catch (e) {
      console.error(`e2e inspection ${size.name} FAILED: ${e.stack || e}`)
      failed++
    }
  }
} finally {
  await browser.close()
  child.kill('SIGINT')
  sync.child.kill('SIGINT')
  rmSync(data, { recursive: true, force: true })
  rmSync(serverData, { recursive: true, force: true })
}
writeFileSync(join(out, 'e2e-inspection.json'), JSON.stringify(results, null, 2))
console.log(`e2e inspection: ${results.length} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
