import { ref } from 'vue';
import { ElMessage } from 'element-plus';
import { api } from './client';
import { filenameOf } from './content-disposition';
import type { Problem } from './types';

/**
 * The office's documents (the annual report, the tables as XLSX or CSV, the answer compilation) as files saved by the
 * browser. A plain link cannot send the bearer token, so the file is fetched through the API client (the token,
 * `minPosition`, the 503 retries and the sign-out on 401 as for every read) and saved from a Blob under the name the
 * API gave it in Content-Disposition.
 */

export type DownloadQuery = Readonly<Record<string, string | number | boolean | null | undefined>>;

/** One document a page offers: the route, the query (with `format` for a table) and the button's text. */
export interface Download {
  /** Names the button (`data-testid="download-…"`) and what is downloading. */
  readonly key: string;
  readonly label: string;
  readonly path: string;
  readonly query?: DownloadQuery;
  /** The button's tooltip: what the file holds. */
  readonly title?: string;
}

/** A read route's table as the two files it answers: `?format=xlsx` and `?format=csv`, with the page's own query. */
export function spreadsheets(key: string, path: string, query: DownloadQuery = {}, what?: string): Download[] {
  return [
    { key: `${key}-xlsx`, label: 'Excel', path, query: { ...query, format: 'xlsx' }, title: what && `${what}（Excel 工作簿）` },
    { key: `${key}-csv`, label: 'CSV', path, query: { ...query, format: 'csv' }, title: what && `${what}（CSV，UTF-8）` },
  ];
}

/** What a refused or failed download tells the person: the problem's detail when the API sent one. */
function failureText(status: number, problem: Problem | null): string {
  if (problem?.detail) return `下载失败：${problem.detail}`;
  if (status === 401) return '下载失败：登录已失效，请重新登录';
  if (status === 403) return '下载失败：您的角色无权查看该文件';
  if (status === 404) return '下载失败：没有找到该文件';
  if (status === 503) return '下载失败：服务暂时不可用，请稍后再试';
  return `下载失败（HTTP ${status}）`;
}

/** Saves a Blob as a file: an object URL on a link with `download`, revoked once the browser has taken it. */
function save(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  link.style.display = 'none';
  document.body.append(link);
  try {
    link.click();
  } finally {
    link.remove();
    // The click starts the download asynchronously: revoking at once can cancel it in some browsers.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

/** Fetches a document and saves it; resolves to the name saved, or throws with what to tell the person. */
export async function downloadDocument(item: Download): Promise<string> {
  const query = Object.fromEntries(Object.entries(item.query ?? {}).filter(([, v]) => v !== undefined && v !== null && v !== ''));
  let result: { data?: Blob; error?: unknown; response: Response };
  try {
    // The route is a runtime value here: the typed client's paths are checked where each page names its documents.
    result = await api.GET(item.path as never, { params: { query }, parseAs: 'blob' } as never);
  } catch {
    throw new Error('下载失败：无法连接服务，请检查网络');
  }
  const { data: blob, error, response } = result;
  if (!response.ok || !blob) {
    const problem = error && typeof error === 'object' && 'status' in error ? (error as Problem) : null;
    throw new Error(failureText(response.status, problem));
  }
  const filename = filenameOf(response.headers.get('content-disposition'), item.path.split('/').pop() || 'download');
  save(blob, filename);
  return filename;
}

/** The download state of a group of buttons: which one is under way (each disabled meanwhile), errors as messages. */
export function useDownload() {
  const busy = ref<string | null>(null);
  async function download(item: Download): Promise<void> {
    if (busy.value) return;
    busy.value = item.key;
    try {
      const filename = await downloadDocument(item);
      ElMessage({ type: 'success', message: `已下载：${filename}`, duration: 2500 });
    } catch (error) {
      ElMessage({ type: 'error', message: error instanceof Error ? error.message : '下载失败', duration: 6000, showClose: true });
    } finally {
      busy.value = null;
    }
  }
  return { busy, download };
}
