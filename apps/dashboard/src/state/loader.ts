import { onMounted, ref, shallowRef, watch, type Ref, type ShallowRef, type WatchSource } from 'vue';
import { ApiError, failureOf, type Failure } from '../api/client';
import { live } from '../live/feed';

export interface Loader<T> {
  readonly data: ShallowRef<T | null>;
  /** First load, or a reload after the inputs changed: the page shows its loading state. */
  readonly loading: Ref<boolean>;
  /** A quiet reload after a live change: the page keeps showing what it has. */
  readonly refreshing: Ref<boolean>;
  readonly failure: Ref<Failure | null>;
  readonly message: Ref<string>;
  readonly loadedAt: Ref<Date | null>;
  reload(): Promise<void>;
}

/**
 * One page's data: loaded when the page opens and whenever `inputs` change (filters, the session), reloaded
 * quietly when the live feed reports a change. Answers that arrive after newer ones were asked for are dropped.
 */
/**
 * What the page says beside its failure: the problem's detail, except for a refused query, whose detail is the API's
 * English sentence; for that the page names the parameters the API refused (they are the URL's).
 */
function describe(error: unknown): string {
  if (!(error instanceof ApiError)) return String(error);
  const fields = [...new Set((error.problem?.errors ?? []).map((e) => e.field))];
  if (error.status === 400) return fields.length ? `有误的参数：${fields.join('、')}` : '';
  return error.problem?.detail ?? error.message;
}

export function useLoader<T>(load: () => Promise<T>, inputs: WatchSource[] = [], options: { live?: boolean } = {}): Loader<T> {
  const data = shallowRef<T | null>(null);
  const loading = ref(true);
  const refreshing = ref(false);
  const failure = ref<Failure | null>(null);
  const message = ref('');
  const loadedAt = ref<Date | null>(null);
  let asked = 0;

  async function run(quietly: boolean): Promise<void> {
    const mine = ++asked;
    if (quietly) refreshing.value = true;
    else loading.value = true;
    try {
      const result = await load();
      if (mine !== asked) return;
      data.value = result;
      failure.value = null;
      loadedAt.value = new Date();
    } catch (error) {
      if (mine !== asked) return;
      // A quiet reload that fails keeps what is on screen; the next change tries again.
      if (!quietly || data.value === null) {
        failure.value = failureOf(error);
        message.value = describe(error);
        if (!quietly) data.value = null;
      }
    } finally {
      if (mine === asked) {
        loading.value = false;
        refreshing.value = false;
      }
    }
  }

  if (inputs.length) watch(inputs, () => void run(false));
  if (options.live !== false) watch(() => live.changes, () => void run(true));
  onMounted(() => void run(false));
  return { data, loading, refreshing, failure, message, loadedAt, reload: () => run(false) };
}
