// Fails when src/api/schema.d.ts is not what openapi-typescript makes of
// ../docs/openapi.json now (run `npm run gen:api` and commit the result).
import { execFileSync } from 'node:child_process'
import { readFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const out = join(mkdtempSync(join(tmpdir(), 'console-api-')), 'schema.d.ts')
execFileSync('npx', ['openapi-typescript', '../docs/openapi.json', '-o', out], { stdio: 'ignore' })
const want = readFileSync(out, 'utf8')
const have = readFileSync('src/api/schema.d.ts', 'utf8')
if (want !== have) {
  console.error('src/api/schema.d.ts 与 docs/openapi.json 不一致：请运行 npm run gen:api 并提交')
  process.exit(1)
}
console.log('src/api/schema.d.ts is up to date with docs/openapi.json')
