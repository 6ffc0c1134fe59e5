/**
 * The centre's web console (issue 17): Vue 3 + Element Plus in Simplified
 * Chinese, served by zhifa-server at /console/.
 */
import { createApp } from 'vue'
import ElementPlus from 'element-plus'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
import 'element-plus/dist/index.css'
import App from './App.vue'
import { router } from './router'
import { setSignedOutHandler } from './api/client'
import { forget } from './session'

setSignedOutHandler(() => {
  forget()
  const here = router.currentRoute.value
  if (here.name !== 'signin') void router.push({ name: 'signin', query: { expired: '1', next: here.fullPath } })
})

createApp(App).use(ElementPlus, { locale: zhCn }).use(router).mount('#app')
