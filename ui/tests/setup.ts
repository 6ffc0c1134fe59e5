// Every test file: Vant measures its safe-area placeholders (NavBar,
// Tabbar, ActionBar…) on timers up to 300 ms after mounting. Let them run
// before the file's jsdom is torn down, or they throw "window is not
// defined" into the run and fail it at random.
import { afterAll } from 'vitest'

afterAll(async () => {
  await new Promise((resolve) => setTimeout(resolve, 350))
})
