import { watch, type ShallowRef } from 'vue';

/** Pages, at least one: the last page of `total` rows `pageSize` at a time. */
export const lastPage = (total: number, pageSize: number): number => Math.max(1, Math.ceil(total / pageSize));

/**
 * A list the API pages answers a page past its last one with no rows and the real total: a shared link after the
 * list shrank, a bookmark, a hand-edited `page=`. Shown as it is, that page said "nothing matches" above no pager
 * (the pager is part of the results), with the rows one page back. This sends such a page to the list's last page.
 */
export function keepPageInRange(
  list: ShallowRef<{ readonly items: readonly unknown[]; readonly total: number } | null>,
  page: () => number,
  pageSize: () => number,
  go: (page: number) => void,
): void {
  watch(list, (answer) => {
    if (answer && answer.items.length === 0 && answer.total > 0 && page() > lastPage(answer.total, pageSize())) go(lastPage(answer.total, pageSize()));
  });
}
