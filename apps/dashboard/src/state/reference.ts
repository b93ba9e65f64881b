import { computed, shallowRef } from 'vue';
import { api, data } from '../api/client';
import type { DirectoryUnit, Role, SessionListItem, Vocabulary } from '../api/types';

/**
 * What every page names things with, loaded once: the vocabulary (every code's Chinese label, public), and for a
 * signed-in reader the jurisdiction's sessions and the directory's units.
 */
export const vocabulary = shallowRef<Vocabulary | null>(null);
export const sessions = shallowRef<SessionListItem[] | null>(null);
export const units = shallowRef<DirectoryUnit[] | null>(null);

let vocabularyAsked: Promise<void> | undefined;
export function loadVocabulary(): Promise<void> {
  vocabularyAsked ??= data(api.GET('/vocabulary')).then(
    (v) => void (vocabulary.value = v),
    () => void (vocabularyAsked = undefined),
  );
  return vocabularyAsked;
}

let sessionsAsked: Promise<SessionListItem[]> | undefined;
/** The jurisdiction's sessions, oldest first; `again` asks anew (a session opened since, new counts). */
export function loadSessions(again = false): Promise<SessionListItem[]> {
  if (again) sessionsAsked = undefined;
  sessionsAsked ??= data(api.GET('/sessions')).then(
    ({ items }) => (sessions.value = [...items].sort((a, b) => a.year - b.year || a.id.localeCompare(b.id))),
    (error: unknown) => {
      sessionsAsked = undefined;
      throw error;
    },
  );
  return sessionsAsked;
}

let unitsAsked: Promise<void> | undefined;
export function loadUnits(): Promise<void> {
  unitsAsked ??= data(api.GET('/directory/units')).then(
    (list) => void (units.value = [...list].sort((a, b) => a.code.localeCompare(b.code))),
    () => void (unitsAsked = undefined),
  );
  return unitsAsked;
}

/** Forgets what belonged to the signed-in reader (another person may sign in next in this tab). */
export function forgetReader(): void {
  sessions.value = null;
  units.value = null;
  sessionsAsked = undefined;
  unitsAsked = undefined;
}

/** The latest session: the one a page shows first. */
export const latestSession = computed(() => sessions.value?.at(-1)?.id ?? null);

type ListName = Exclude<keyof Vocabulary, 'steps'>;
export function labelOf(list: ListName, code: string | null | undefined): string {
  if (!code) return '—';
  return vocabulary.value?.[list].find((entry) => entry.code === code)?.label ?? code;
}
export const roleLabel = (role: Role | undefined): string => labelOf('roles', role);
export const unitName = (code: string): string => units.value?.find((u) => u.code === code)?.shortName ?? code;
