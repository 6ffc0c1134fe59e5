/**
 * The centre's web console (issue 17): Vue 3 + Element Plus in Simplified
 * Chinese, served by zhifa-server at /console/.
 */
import { createApp } from 'vue'
// Element Plus components are imported by each screen on demand
// (unplugin-vue-components, vite.config.ts); the locale is App.vue's
// <el-config-provider>. The base styles every component relies on:
import 'element-plus/theme-chalk/base.css'
import App from './App.vue'
import { router } from './router'
import { setSignedOutHandler } from './api/client'
import { forget } from './session'

setSignedOutHandler(() => {
  forget()
  const here = router.currentRoute.value
  if (here.name !== 'signin') void router.push({ name: 'signin', query: { expired: '1', next: here.fullPath } })
})

createApp(App).use(router).mount('#app')
