// What the Playwright e2e scripts share: the binaries under test, the two
// processes they drive (the device's `zhifa web` on the sample defaults
// and the central `zhifa-server --demo`), the two screen sizes and
// Debian's Chromium. Needs ZHIFA_BIN (the built `zhifa`) and
// ZHIFA_SERVER_BIN (default: the `zhifa-server` beside it); `zhifa web`
// serves the screens built into it (cargo build after npm run build).
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import { chromium } from 'playwright-core'

export const ui = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const out = join(ui, 'test-results')
export const bin = process.env.ZHIFA_BIN
if (!bin) throw new Error('set ZHIFA_BIN to the built zhifa binary')
export const serverBin = process.env.ZHIFA_SERVER_BIN || join(dirname(bin), 'zhifa-server')
if (!existsSync(serverBin)) throw new Error(`no zhifa-server at ${serverBin} (set ZHIFA_SERVER_BIN)`)

/** Phone and tablet, the two layouts every screen is made for. */
export const sizes = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'tablet', width: 768, height: 1024 },
]

/** Resolves to the first line a child prints, or rejects when it exits first. */
function firstLine(child, what, log = () => '') {
  const rl = createInterface({ input: child.stdout })
  return new Promise((res, rej) => {
    rl.once('line', res)
    child.once('exit', (c) => rej(new Error(`${what} exited ${c}${log()}`)))
  })
}

/** The central service on loopback with its demo defaults; resolves to its URL and one-time codes. */
export async function startSyncServer(data) {
  const child = spawn(serverBin, ['serve', '--data', data, '--listen', '127.0.0.1:0', '--demo'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let log = ''
  child.stderr.on('data', (b) => { log += b })
  const line = await firstLine(child, 'zhifa-server', () => `: ${log}`)
  const url = JSON.parse(line).listening
  const codes = JSON.parse(readFileSync(join(data, 'demo-enrolment.json'), 'utf8')).officers
  const code = (id) => codes.find((o) => o.id === id).code
  return { child, url, code }
}

/** The device's `zhifa web` on a data folder; resolves to the URL it prints (with its token). */
export async function startServer(data) {
  const child = spawn(bin, ['--data', data, 'web', '--listen', '127.0.0.1:0', '--sample'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const url = await firstLine(child, 'zhifa web')
  if (!/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}$/.test(url)) throw new Error(`unexpected first line: ${url}`)
  return { child, url }
}

/** Debian's Chromium, headless (never a test tool's own browser download). */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}
