import { computed, reactive } from 'vue';
import type { Role } from '../api/types';

/**
 * Who is signed in. The token comes in the URL's fragment (`/#token=…`, from `npm run -s token -- --url` or a single
 * sign-on portal), which no server log sees; it is kept for this tab only (sessionStorage) and the fragment is
 * removed from the address bar at once. The page reads the token's claims to show who is signed in and until when;
 * it cannot check the signature — the API does, on every request, and a 401 signs the page out.
 */
export interface Claims {
  readonly sub: string;
  readonly role: Role;
  readonly name?: string;
  readonly unit?: string;
  readonly tenant?: string;
  /** Seconds since the epoch. */
  readonly exp: number;
}

const STORAGE_KEY = 'cppcc-dashboard-token';
const ROLES: readonly Role[] = ['member', 'committee', 'office', 'unit', 'leader', 'auditor', 'clerk', 'service'];

interface State {
  token: string | null;
  claims: Claims | null;
  /** Why the page is signed out, to say on the sign-in page. */
  reason: string | null;
}

export const session = reactive<State>({ token: null, claims: null, reason: null });
export const signedIn = computed(() => session.token !== null && session.claims !== null);
let expiryTimer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<() => void>();

/** Called when the page signs out (the live feed stops, the router goes to the sign-in page). */
export function onSignOut(listener: () => void): void {
  listeners.add(listener);
}

function base64UrlJson(part: string): unknown {
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/** The claims of a JWT, or why they cannot be read. */
export function readClaims(token: string): Claims | string {
  const parts = token.split('.');
  if (parts.length !== 3) return '这不是一个有效的令牌（JWT 应由三段组成）';
  let claims: Record<string, unknown>;
  try {
    claims = base64UrlJson(parts[1]) as Record<string, unknown>;
  } catch {
    return '令牌无法解析';
  }
  if (typeof claims.sub !== 'string' || !ROLES.includes(claims.role as Role)) return '令牌缺少用户或角色';
  if (typeof claims.exp !== 'number') return '令牌没有有效期';
  if (claims.exp * 1000 <= Date.now()) return '令牌已过期，请重新获取';
  return {
    sub: claims.sub,
    role: claims.role as Role,
    exp: claims.exp,
    ...(typeof claims.name === 'string' ? { name: claims.name } : {}),
    ...(typeof claims.unit === 'string' ? { unit: claims.unit } : {}),
    ...(typeof claims.tenant === 'string' ? { tenant: claims.tenant } : {}),
  };
}

/** Signs in with a token; false (and the reason in `session.reason`) when it cannot be used. */
export function signIn(token: string): boolean {
  const trimmed = token.trim().replace(/^Bearer\s+/i, '');
  const claims = readClaims(trimmed);
  if (typeof claims === 'string') {
    signOut(claims);
    return false;
  }
  session.token = trimmed;
  session.claims = claims;
  session.reason = null;
  sessionStorage.setItem(STORAGE_KEY, trimmed);
  clearTimeout(expiryTimer);
  // setTimeout holds at most ~24.8 days; tokens live hours.
  expiryTimer = setTimeout(() => signOut('登录已过期，请重新登录'), Math.min(claims.exp * 1000 - Date.now(), 2 ** 31 - 1));
  return true;
}

export function signOut(reason: string | null = null): void {
  const was = session.token !== null;
  session.token = null;
  session.claims = null;
  session.reason = reason;
  sessionStorage.removeItem(STORAGE_KEY);
  clearTimeout(expiryTimer);
  if (was) for (const listener of listeners) listener();
}

/**
 * At start: a token in the fragment wins (and leaves the address bar), else the one this tab kept. Any other
 * fragment is left alone.
 */
export function restoreSession(): void {
  const match = /^#token=([^&]+)/.exec(window.location.hash);
  if (match) {
    history.replaceState(history.state, '', window.location.pathname + window.location.search);
    signIn(decodeURIComponent(match[1]));
    return;
  }
  const kept = sessionStorage.getItem(STORAGE_KEY);
  if (kept) signIn(kept);
}

export const displayName = computed(() => {
  const c = session.claims;
  if (!c) return '';
  return c.name ?? (c.unit ? `${c.unit} · ${c.sub}` : c.sub);
});

export const expiresAt = computed(() => (session.claims ? new Date(session.claims.exp * 1000) : null));
