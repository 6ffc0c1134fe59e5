/**
 * The console's screens. Everything but sign-in needs a session; a screen
 * the role may not use sends it to its own first screen.
 */
import { createRouter, createWebHistory, type RouteLocationNormalized } from 'vue-router'
import { loadSession, session } from './session'
import { homeOf, screensOf, type Screen } from './roles'

export const router = createRouter({
  history: createWebHistory('/console/'),
  routes: [
    { path: '/signin', name: 'signin', component: () => import('./views/SignIn.vue'), meta: { title: '登录' } },
    {
      path: '/',
      component: () => import('./views/Shell.vue'),
      children: [
        { path: '', name: 'home', redirect: () => ({ name: homeOf(session.info?.role ?? '', session.info?.scope ?? '') }) },
        {
          path: 'supervise',
          name: 'supervise',
          component: () => import('./views/SuperviseCockpit.vue'),
          meta: { screen: 'supervise', title: '执法监督' },
        },
        {
          path: 'supervise/review/:id',
          name: 'case-review',
          component: () => import('./views/CaseReview.vue'),
          meta: { screen: 'supervise', title: '案卷评查' },
        },
        {
          path: 'sampling',
          name: 'sampling',
          component: () => import('./views/SampleWorkspace.vue'),
          meta: { screen: 'sampling', title: '案卷评查（随机抽查、交叉评查、通报）' },
        },
        {
          path: 'scoring',
          name: 'scoring',
          component: () => import('./views/ScoringList.vue'),
          meta: { screen: 'scoring', title: '交叉评查' },
        },
        {
          path: 'scoring/:id',
          name: 'blind-scoring',
          component: () => import('./views/BlindScoring.vue'),
          meta: { screen: 'scoring', title: '交叉评查（盲评）' },
        },
        {
          path: 'clues',
          name: 'clues',
          component: () => import('./views/ClueList.vue'),
          meta: { screen: 'clues', title: '监督线索' },
        },
        {
          path: 'normal',
          name: 'normal',
          component: () => import('./views/NormalQueue.vue'),
          meta: { screen: 'normal', title: '普通程序' },
        },
        {
          path: 'normal/:id',
          name: 'normal-case',
          component: () => import('./views/NormalCase.vue'),
          meta: { screen: 'normal', title: '普通程序案件' },
        },
        { path: 'cases', name: 'cases', component: () => import('./views/CaseList.vue'), meta: { screen: 'cases', title: '案件' } },
        {
          path: 'cases/:id',
          name: 'case',
          component: () => import('./views/CaseDossier.vue'),
          meta: { screen: 'cases', title: '案卷' },
        },
        {
          path: 'inspections',
          name: 'inspections',
          component: () => import('./views/InspectionList.vue'),
          meta: { screen: 'inspections', title: '检查' },
        },
        { path: 'admin', name: 'admin', component: () => import('./views/AdminView.vue'), meta: { screen: 'admin', title: '账号与终端' } },
        {
          path: 'adoption',
          name: 'adoption',
          component: () => import('./views/AdoptionView.vue'),
          meta: { screen: 'adoption', title: '镇街承接事项' },
        },
        { path: 'audit', name: 'audit', component: () => import('./views/AuditLog.vue'), meta: { screen: 'audit', title: '审计日志' } },
        { path: 'events', name: 'events', component: () => import('./views/EventList.vue'), meta: { screen: 'events', title: '平台事件' } },
        { path: 'tasks', name: 'tasks', component: () => import('./views/TaskList.vue'), meta: { screen: 'tasks', title: '任务' } },
      ],
    },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
})

router.beforeEach(async (to: RouteLocationNormalized) => {
  const info = await loadSession()
  if (to.name === 'signin') return info ? { name: 'home' } : true
  // The home page's redirect was resolved without a session: after
  // sign-in, home again, so the role's own first screen is chosen.
  if (!info) return { name: 'signin', query: to.redirectedFrom?.fullPath === '/' ? {} : { next: to.fullPath } }
  const screen = to.meta.screen as Screen | undefined
  if (screen && !screensOf(info.role, info.scope).includes(screen)) return { name: homeOf(info.role, info.scope) }
  return true
})

router.afterEach((to) => {
  const title = to.meta.title as string | undefined
  document.title = title ? `${title} · 掌上执法控制台` : '掌上执法控制台'
})
