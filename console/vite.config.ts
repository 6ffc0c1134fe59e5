import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// The console is served by zhifa-server at /console/ (embedded at build
// time, server/build.rs). In development Vite proxies the API to a local
// server: ZHIFA_SERVER=http://127.0.0.1:8443 npm run dev.
const server = process.env.ZHIFA_SERVER || 'http://127.0.0.1:8443'

export default defineConfig({
  base: '/console/',
  // Element Plus on demand: each screen imports the components (and their
  // CSS) it uses, so the sign-in screen does not load the whole library
  // (it was one 994 KB chunk). The resolver also imports `v-loading`.
  plugins: [vue(), Components({ dts: false, resolvers: [ElementPlusResolver({ importStyle: 'css', directives: true })] })],
  clearScreen: false,
  server: { port: 5174, strictPort: true, proxy: { '/v1': { target: server, changeOrigin: false } } },
  build: {
    target: 'es2021',
    // Two lazy chunks pass 500 KB: the cockpit's ECharts and ExcelJS (export only).
    chunkSizeWarningLimit: 1000,
  },
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.test.ts'],
    // A mounted component imports Element Plus with its CSS (the resolver):
    // inlined, so Vitest handles the CSS rather than Node.
    server: { deps: { inline: ['element-plus'] } },
  },
})
