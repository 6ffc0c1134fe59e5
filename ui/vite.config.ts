import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

// Tauri's dev server on a phone binds to TAURI_DEV_HOST (tauri-docs, Vite page).
const host = process.env.TAURI_DEV_HOST

export default defineConfig({
  plugins: [vue()],
  clearScreen: false,
  server: { host: host || false, port: 5173, strictPort: true },
  build: { target: 'es2021', chunkSizeWarningLimit: 900 },
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.test.ts'],
    setupFiles: ['tests/setup.ts'],
  },
})
