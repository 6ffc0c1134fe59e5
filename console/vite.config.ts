import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

// The console is served by zhifa-server at /console/ (embedded at build
// time, server/build.rs). In development Vite proxies the API to a local
// server: ZHIFA_SERVER=http://127.0.0.1:8443 npm run dev.
const server = process.env.ZHIFA_SERVER || 'http://127.0.0.1:8443'

export default defineConfig({
  base: '/console/',
  plugins: [vue()],
  clearScreen: false,
  server: { port: 5174, strictPort: true, proxy: { '/v1': { target: server, changeOrigin: false } } },
  build: {
    target: 'es2021',
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        // Element Plus in its own chunk: the app's own code changes more often.
        manualChunks: (id: string) => (id.includes('node_modules/element-plus') ? 'element-plus' : undefined),
      },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.test.ts'],
  },
})
