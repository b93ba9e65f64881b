import { createRouter, createWebHistory, type RouteLocationNormalized } from 'vue-router';
import { signedIn } from './auth/session';
import type { Area } from './auth/roles';
import OverviewPage from './pages/OverviewPage.vue';

declare module 'vue-router' {
  interface RouteMeta {
    title: string;
    /** Open without signing in. */
    public?: boolean;
    /** Which role rule applies (auth/roles.ts). */
    area?: Area;
    /** Shown without the navigation (the sign-in page). */
    bare?: boolean;
  }
}

/**
 * The pages, under /dashboard/ (the API serves index.html for every path there). The overview is in the first
 * chunk, the page most people open; every other page loads when opened.
 */
export const router = createRouter({
  history: createWebHistory('/dashboard/'),
  routes: [
    { path: '/', redirect: () => (signedIn.value ? { name: 'overview' } : { name: 'sign-in' }) },
    { path: '/sign-in', name: 'sign-in', component: () => import('./pages/SignInPage.vue'), meta: { title: '登录', public: true, bare: true } },
    { path: '/overview', name: 'overview', component: OverviewPage, meta: { title: '总览', area: 'overview' } },
    { path: '/trends', name: 'trends', component: () => import('./pages/TrendsPage.vue'), meta: { title: '历年对比', area: 'trends' } },
    { path: '/units', name: 'units', component: () => import('./pages/UnitsPage.vue'), meta: { title: '承办单位', area: 'units' } },
    { path: '/supervision', name: 'supervision', component: () => import('./pages/SupervisionPage.vue'), meta: { title: '督办', area: 'supervision' } },
    { path: '/proposals', name: 'proposals', component: () => import('./pages/ProposalsPage.vue'), meta: { title: '提案', area: 'proposals' } },
    { path: '/proposals/:id', name: 'proposal', component: () => import('./pages/ProposalPage.vue'), meta: { title: '提案详情', area: 'proposals' } },
    { path: '/audit', name: 'audit', component: () => import('./pages/AuditPage.vue'), meta: { title: '审计', area: 'audit' } },
    { path: '/public', name: 'public', component: () => import('./pages/PublicAnswersPage.vue'), meta: { title: '公开答复', public: true } },
    { path: '/:path(.*)*', name: 'not-found', component: () => import('./pages/NotFoundPage.vue'), meta: { title: '页面不存在', public: true } },
  ],
  scrollBehavior: (to, from) => (to.path === from.path ? false : { top: 0 }),
});

router.beforeEach((to: RouteLocationNormalized) => {
  if (to.meta.public || signedIn.value) return true;
  return { name: 'sign-in', query: to.fullPath === '/' ? {} : { next: to.fullPath } };
});

router.afterEach((to) => {
  document.title = `${to.meta.title} · 政协提案办理督办看板`;
});
