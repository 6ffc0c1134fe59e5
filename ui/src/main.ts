import { createApp } from 'vue'
import { createPinia } from 'pinia'
import 'vant/lib/index.css'
import './style.css'
import App from './App.vue'
import { i18n } from './i18n'
import { makeRouter } from './router'
import { setBackend } from './backend'
import { HttpBackend, takeTokenFromUrl } from './backend/http'
import { TauriBackend, inTauri } from './backend/tauri'

const tauri = inTauri()
setBackend(tauri ? new TauriBackend() : new HttpBackend('', takeTokenFromUrl()))

createApp(App)
  .use(createPinia())
  .use(i18n)
  // The webview serves from a custom protocol: hash history keeps every
  // route on index.html there; a browser gets clean paths.
  .use(makeRouter(tauri))
  .mount('#app')
