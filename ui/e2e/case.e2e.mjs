// End-to-end: Debian's Chromium (never a downloaded browser) drives
// `zhifa web` on a fresh data folder with the embedded sample defaults
// through a whole simple-procedure case, at phone (390×844) and tablet
// (768×1024) size: sign in, search the catalogue, open a matter, then
// "new case" → … → "payment QR shown", counting wizard screens and taps,
// checking the PDF and the QR come out, and saving screenshots under
// ui/test-results/. Then the sync screen syncs the case with a real
// `zhifa-server --demo` the harness starts, until every outbox record
// shows applied. A second device that worked alone first enrols from the
// sync screen: its own number leases come back rejected, as conflicts the
// officer acknowledges (with a note) or retries.
// Needs ZHIFA_BIN (the built `zhifa`), ZHIFA_SERVER_BIN (default: the
// `zhifa-server` beside it) and ui/dist.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bin, launchBrowser, out, sizes, startServer, startSyncServer } from './harness.mjs'

const MAX_SCREENS = 8
const MAX_TAPS = 16

function idNumber(body) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...body].reduce((s, d, i) => s + Number(d) * w[i], 0)
  return body + '10X98765432'[sum % 11]
}

async function runCase(browser, url, size) {
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
  let taps = 0
  const tap = async (testid) => {
    const el = page.getByTestId(testid).first()
    await el.waitFor({ state: 'visible' })
    await el.click()
    taps++
  }
  const shot = async (name) => {
    await page.waitForTimeout(350) // let Vant's 0.2 s transitions settle
    await page.screenshot({ path: join(out, `${size.name}-${name}.png`) })
  }
  const screens = []
  const onScreen = async (step) => {
    await page.getByTestId(`screen-${step}`).waitFor({ state: 'visible' })
    screens.push(step)
  }

  // Sign in (the sample officer is enrolled with the sample PIN).
  await page.goto(url)
  await page.getByTestId('pin').locator('input').fill('246813')
  await shot('signin')
  await page.getByTestId('signin-submit').click()
  await page.getByTestId('new-case').waitFor()
  if (new URL(page.url()).searchParams.has('token')) throw new Error('token left in the address bar')

  // Catalogue search and matter detail.
  await page.goto(new URL('/catalogue', url).href)
  await page.getByTestId('search').locator('input').fill('zdjy')
  await page.getByTestId('hit-CG-001').waitFor()
  await shot('catalogue')
  await page.getByTestId('hit-CG-001').click()
  await page.getByTestId('levels').waitFor()
  const provisions = await page.getByTestId('provision').count()
  if (provisions < 2) throw new Error(`matter shows ${provisions} provisions`)
  await shot('matter')
  await page.goto(new URL('/', url).href)
  await page.getByTestId('new-case').waitFor()
  await shot('home-before')

  // The case, counted from "new case".
  taps = 0
  await tap('new-case')
  await onScreen('new')
  await page.getByTestId('search').locator('input').fill('zdjy')
  await tap('hit-CG-001')
  await tap('next')

  await onScreen('party')
  await page.getByTestId('party-name').locator('input').fill(phone ? '周小川' : '李红梅')
  const id = idNumber(phone ? '50011219850612003' : '50011219900101124')
  const idInput = page.getByTestId('party-id').locator('input')
  await idInput.fill(id.slice(0, 10))
  await idInput.fill(id)
  await page.getByTestId('id-ok').waitFor()
  await page.getByTestId('party-phone').locator('input').fill('13800001234')
  await page.getByTestId('party-address').locator('textarea').fill('重庆市渝北区龙兴镇示例路1号（样例）')
  await shot('wizard-party')
  await tap('next')

  await onScreen('facts')
  await page.getByTestId('place').locator('textarea').fill('龙兴镇示例路12号门前人行道')
  await page.getByTestId('facts').locator('textarea').fill('在人行道上摆摊经营水果，占道面积约6平方米，影响行人通行')
  const jpeg = await page.evaluate(() => {
    const c = document.createElement('canvas')
    c.width = 800
    c.height = 600
    const g = c.getContext('2d')
    const grad = g.createLinearGradient(0, 0, 800, 600)
    grad.addColorStop(0, '#7a9a5b')
    grad.addColorStop(1, '#c9b27c')
    g.fillStyle = grad
    g.fillRect(0, 0, 800, 600)
    g.fillStyle = '#8b2d12'
    g.fillRect(220, 260, 360, 160)
    return c.toDataURL('image/jpeg', 0.9).split(',')[1]
  })
  await tap('take-photo') // opens the camera; the shutter is the file below
  await page.getByTestId('camera').setInputFiles({ name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(jpeg, 'base64') })
  taps++
  await page.getByTestId('evidence-tile').first().waitFor()
  await page.locator('.van-toast').first().waitFor({ state: 'hidden' }).catch(() => undefined)
  await shot('wizard-facts')
  await tap('next')

  await onScreen('discretion')
  await tap('level-L2')
  await page.getByTestId('suggested').first().waitFor()
  // An unlawful amount first (CG-001 fines an individual 50–500 元): the
  // refusal shows in Chinese and 下一步 stays disabled.
  await page.getByTestId('amount').locator('input').fill('600')
  const refusal = page.getByTestId('refusal').first()
  await refusal.waitFor()
  const refusalText = (await refusal.innerText()).trim()
  const refusalCode = await refusal.getAttribute('data-code')
  if (!/600/.test(refusalText) || !/[\u4e00-\u9fff]/.test(refusalText)) throw new Error(`refusal text: ${refusalText}`)
  if (!refusalCode || refusalText.includes(refusalCode)) throw new Error(`refusal code ${refusalCode} shown as text: ${refusalText}`)
  await page.getByTestId('blocked').waitFor()
  if (!(await page.getByTestId('next').isDisabled())) throw new Error('下一步 enabled on a refused amount')
  await shot('wizard-discretion-refused')
  await page.getByTestId('amount').locator('input').fill('150')
  await refusal.waitFor({ state: 'detached' })
  await page.locator('[data-band]').first().waitFor()
  await page.waitForTimeout(400)
  await shot('wizard-discretion')
  await tap('next')

  await onScreen('rights')
  if (phone) {
    await tap('heard')
    await page.getByTestId('statement').locator('textarea').fill('当事人称刚到此处摆摊，愿意立即收摊')
    await page.getByTestId('review').locator('textarea').fill('经复核，陈述不影响违法事实认定；已立即收摊，在阶次内从轻')
  }
  await shot('wizard-rights')
  await tap('next')

  await onScreen('preview')
  const penalty = await page.getByTestId('penalty').innerText()
  if (penalty !== '罚款人民币150元') throw new Error(`preview shows ${penalty}`)
  await shot('wizard-preview')
  await tap('next')

  await onScreen('sign')
  const pad = await page.getByTestId('signature').boundingBox()
  await page.mouse.move(pad.x + 30, pad.y + pad.height / 2)
  await page.mouse.down()
  for (let i = 1; i <= 24; i++) {
    await page.mouse.move(pad.x + 30 + i * ((pad.width - 60) / 24), pad.y + pad.height / 2 + Math.sin(i / 2) * pad.height * 0.25)
  }
  await page.mouse.up()
  taps++ // one signature stroke
  await shot('wizard-sign')
  await tap('next')

  await onScreen('done')
  await page.getByTestId('pdf-ready').waitFor()
  await page.getByTestId('qr-full-img').waitFor({ state: 'visible' })
  const pdf = await page.evaluate(async () => {
    const a = document.querySelector('[data-testid=download-pdf]')
    const buf = new Uint8Array(await (await fetch(a.href)).arrayBuffer())
    return { head: String.fromCharCode(...buf.slice(0, 5)), size: buf.length, name: a.getAttribute('download') }
  })
  if (pdf.head !== '%PDF-' || pdf.size < 5000) throw new Error(`bad PDF ${JSON.stringify(pdf)}`)
  const qrSrc = await page.getByTestId('qr-full-img').getAttribute('src')
  if (!decodeURIComponent(qrSrc).includes('<svg')) throw new Error('payment QR is not an SVG')
  await shot('wizard-qr')

  if (screens.length > MAX_SCREENS) throw new Error(`${screens.length} screens: ${screens.join(' → ')}`)
  if (taps > MAX_TAPS) throw new Error(`${taps} taps`)
  const tapsToQr = taps
  // Close the QR, then the case shows on the detail screen with its timeline.
  await page.getByTestId('qr-overlay').click()
  await tap('save-pdf')
  const saved = await page.getByTestId('saved-path').innerText()
  if (!saved.endsWith('.pdf')) throw new Error(`saved: ${saved}`)
  await tap('finish')
  await page.getByTestId('deadline').first().waitFor()
  await shot('home-after')

  // The sync screen: run a sync against the central server; every outbox
  // record ends applied, every stream done.
  await page.getByTestId('sync-chip').click()
  await page.getByTestId('enrolment').waitFor()
  await syncNow(page)
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-testid=record]')]
    return rows.length > 0 && rows.every((r) => r.getAttribute('data-status') === 'applied')
  }, null, { timeout: 30000 })
  const streams = await page.getByTestId('stream').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-stream')}:${e.getAttribute('data-state')}`))
  if (streams.length !== 5 || !streams.every((x) => x.endsWith(':done'))) throw new Error(`streams: ${streams.join(' ')}`)
  if (await page.getByTestId('conflict').count()) throw new Error('conflicts after syncing the case')
  if (!(await page.getByTestId('sync-error-none').isVisible())) throw new Error('a sync error is shown')
  const applied = await page.getByTestId('record').count()
  await page.waitForTimeout(350)
  await page.screenshot({ path: join(out, `${size.name}-sync.png`), fullPage: true })
  // Sign out: the next officer (or run) starts at the sign-in screen.
  await page.goto(new URL('/settings', url).href)
  await page.getByTestId('sign-out').click()
  await page.getByTestId('pin').waitFor()
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`)
  await ctx.close()
  return { size: size.name, screens: screens.length, taps: tapsToQr, pdf_bytes: pdf.size, pdf_name: pdf.name, applied }
}

/** Taps "sync now" and waits for that run to finish successfully. */
async function syncNow(page) {
  const state = page.getByTestId('sync-state')
  await state.waitFor()
  // A run already under way (e.g. the one a retry asked for) ends first.
  await page.waitForFunction(() => document.querySelector('[data-testid=sync-state]')?.getAttribute('data-state') !== 'running', null, { timeout: 30000 })
  const before = await state.getAttribute('data-started')
  await page.getByTestId('sync-now').click()
  await page.waitForFunction((b) => {
    const el = document.querySelector('[data-testid=sync-state]')
    const s = el?.getAttribute('data-state')
    if (el?.getAttribute('data-started') === b) return false
    if (s === 'failed') throw new Error(document.querySelector('[data-testid=sync-error]')?.textContent || 'sync failed')
    return s === 'ok'
  }, before, { timeout: 30000, polling: 200 })
}

/** A device that worked alone (sample leases of its own) enrols from the
 *  sync screen; its lease grants come back as conflicts to resolve. */
async function runConflicts(browser, url, sync, size) {
  const phone = size.name === 'phone'
  const ctx = await browser.newContext({ viewport: { width: size.width, height: size.height }, deviceScaleFactor: 2, isMobile: phone, hasTouch: phone, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const page = await ctx.newPage()
  const errors = []
  page.on('pageerror', (e) => errors.push(String(e)))
  await page.goto(url)
  await page.getByTestId('pin').locator('input').fill('246813')
  await page.getByTestId('signin-submit').click()
  await page.getByTestId('new-case').waitFor()
  await page.getByTestId('sync-chip').click()
  await page.getByTestId('enrol-form').waitFor()
  await page.getByTestId('enrol-url').locator('input').fill(sync.url)
  await page.getByTestId('enrol-code').locator('input').fill('WRONG-CODE')
  await page.getByTestId('enrol-submit').click()
  const refused = await page.getByTestId('sync-action-error').innerText()
  if (!refused.includes('激活码无效')) throw new Error(`wrong code shows: ${refused}`)
  await page.getByTestId('enrol-code').locator('input').fill(sync.code('OFF-LX-02'))
  await page.getByTestId('enrol-submit').click()
  await page.getByTestId('enrolment').waitFor()
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=conflict]').length >= 3, null, { timeout: 30000 })
  const codes = await page.getByTestId('conflict').evaluateAll((els) => els.map((e) => e.getAttribute('data-code')))
  if (!codes.every((c) => c === 'lease_not_granted')) throw new Error(`conflicts: ${codes.join(' ')}`)
  const open = codes.length
  await shot(page, size, 'sync-conflicts')
  // Acknowledge one with a note.
  await page.getByTestId('conflict-ack').first().click()
  await page.getByTestId('ack-note').locator('textarea').fill('离线试用期间本机自行生成的号段，未使用，已报告中队')
  await page.getByTestId('ack-submit').click()
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=conflict]').length === n - 1, open)
  // Retry another: sent again as a new record, rejected again, shown again.
  await page.getByTestId('conflict-retry').first().click()
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=conflict-resolved]').length === 2)
  await syncNow(page)
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=conflict]').length === n - 1, open, { timeout: 30000 })
  const resolved = await page.getByTestId('conflict-resolved').allInnerTexts()
  if (!resolved.some((t) => t.includes('已确认：离线试用期间')) || !resolved.some((t) => t.includes('已重新提交'))) throw new Error(`resolved: ${resolved.join(' | ')}`)
  // Nothing dropped: the rejected records are all still listed.
  const rejected = await page.locator('[data-testid=record][data-status=rejected]').count()
  if (rejected !== open + 1) throw new Error(`${rejected} rejected records listed, expected ${open + 1}`)
  await shot(page, size, 'sync-resolved')
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`)
  await ctx.close()
  return { size: `${size.name}-conflicts`, conflicts: open, rejected }
}

async function shot(page, size, name) {
  await page.waitForTimeout(350)
  await page.screenshot({ path: join(out, `${size.name}-${name}.png`), fullPage: true })
}

rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
const data = mkdtempSync(join(tmpdir(), 'zhifa-e2e-'))
const serverData = mkdtempSync(join(tmpdir(), 'zhifa-e2e-server-'))
const aloneData = mkdtempSync(join(tmpdir(), 'zhifa-e2e-alone-'))
const sync = await startSyncServer(serverData)
// This device is enrolled before its first start (as scripts/run.sh does),
// so the server grants its document numbers.
execFileSync(bin, ['--data', data, 'enrol', '--server', sync.url, '--code', sync.code('OFF-LX-01')], { stdio: 'inherit' })
const { child, url } = await startServer(data)
const alone = await startServer(aloneData)
const browser = await launchBrowser()
let passed = 0
let failed = 0
const results = []
try {
  for (const size of sizes) {
    try {
      const r = await runCase(browser, url, size)
      results.push(r)
      console.log(`e2e ${size.name}: ${r.screens} screens, ${r.taps} taps from "new case" to the payment QR; PDF ${r.pdf_bytes} bytes (${r.pdf_name}); synced, ${r.applied} records applied`)
      passed++
    } catch (e) {
      console.error(`e2e ${size.name} FAILED: ${e.stack || e}`)
      failed++
    }
  }
  const size = sizes[0]
  try {
    const r = await runConflicts(browser, alone.url, sync, size)
    results.push(r)
    console.log(`e2e ${r.size}: ${r.conflicts} conflicts shown, one acknowledged with a note, one retried; ${r.rejected} rejected records kept`)
    passed++
  } catch (e) {
    console.error(`e2e ${size.name}-conflicts FAILED: ${e.stack || e}`)
    failed++
  }
} finally {
  await browser.close()
  child.kill('SIGINT')
  alone.child.kill('SIGINT')
  sync.child.kill('SIGINT')
  rmSync(data, { recursive: true, force: true })
  rmSync(aloneData, { recursive: true, force: true })
  rmSync(serverData, { recursive: true, force: true })
}
writeFileSync(join(out, 'e2e.json'), JSON.stringify(results, null, 2))
console.log(`e2e: ${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
