import { createRouter, createWebHistory, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
import { useSession } from './stores/session'

const routes: RouteRecordRaw[] = [
  { path: '/signin', name: 'signin', component: () => import('./views/SignIn.vue'), meta: { public: true } },
  { path: '/', name: 'home', component: () => import('./views/Home.vue'), meta: { tab: true } },
  { path: '/catalogue', name: 'catalogue', component: () => import('./views/Catalogue.vue'), meta: { tab: true } },
  { path: '/matter/:code', name: 'matter', component: () => import('./views/Matter.vue'), props: true },
  { path: '/case/new', name: 'case-new', component: () => import('./views/wizard/NewCase.vue') },
  { path: '/case/:id/party', name: 'case-party', component: () => import('./views/wizard/Party.vue'), props: true },
  { path: '/case/:id/facts', name: 'case-facts', component: () => import('./views/wizard/Facts.vue'), props: true },
  { path: '/case/:id/discretion', name: 'case-discretion', component: () => import('./views/wizard/Discretion.vue'), props: true },
  { path: '/case/:id/rights', name: 'case-rights', component: () => import('./views/wizard/Rights.vue'), props: true },
  { path: '/case/:id/preview', name: 'case-preview', component: () => import('./views/wizard/Preview.vue'), props: true },
  { path: '/case/:id/sign', name: 'case-sign', component: () => import('./views/wizard/Sign.vue'), props: true },
  { path: '/case/:id/done', name: 'case-done', component: () => import('./views/wizard/Done.vue'), props: true },
  { path: '/cases', name: 'cases', component: () => import('./views/Cases.vue'), meta: { tab: true } },
  { path: '/cases/:id', name: 'case-detail', component: () => import('./views/CaseDetail.vue'), props: true },
  { path: '/cases/:id/no-penalty-decision', name: 'case-no-penalty-decision', component: () => import('./views/NoPenaltyDecision.vue'), props: true },
  { path: '/evidence', name: 'evidence', component: () => import('./views/Evidence.vue'), meta: { tab: true } },
  { path: '/inspections', name: 'inspections', component: () => import('./views/inspection/Inspections.vue') },
  { path: '/inspection/new', name: 'insp-new', component: () => import('./views/inspection/NewInspection.vue') },
  { path: '/inspection/:id', name: 'insp-checklist', component: () => import('./views/inspection/Checklist.vue'), props: true },
  { path: '/inspection/:id/finish', name: 'insp-finish', component: () => import('./views/inspection/Finish.vue'), props: true },
  { path: '/inspection/:id/badge', name: 'insp-badge', component: () => import('./views/inspection/Badge.vue'), props: true },
  { path: '/inspection/:id/done', name: 'insp-done', component: () => import('./views/inspection/Done.vue'), props: true },
  { path: '/normal', name: 'normal', component: () => import('./views/normal/NormalCases.vue') },
  { path: '/normal/new', name: 'normal-new', component: () => import('./views/normal/NormalNew.vue') },
  { path: '/normal/:id', name: 'normal-case', component: () => import('./views/normal/NormalCase.vue'), props: true },
  { path: '/sync', name: 'sync', component: () => import('./views/Sync.vue') },
  { path: '/settings', name: 'settings', component: () => import('./views/Settings.vue'), meta: { tab: true } },
  { path: '/:rest(.*)*', redirect: '/' },
]

export function makeRouter(hash: boolean) {
  const router = createRouter({ history: hash ? createWebHashHistory() : createWebHistory(), routes })
  router.beforeEach(async (to) => {
    const session = useSession()
    if (!session.app) {
      try {
        await session.load()
      } catch {
        // The sign-in screen shows the connection problem.
      }
    }
    if (!to.meta.public && !session.signedIn) return { name: 'signin', query: { next: to.fullPath } }
    return true
  })
  return router
}
