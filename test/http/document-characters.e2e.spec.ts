import JSZip from 'jszip';
import { ensureDirectory, startedApi } from '../support/api.js';

/** Characters XML 1.0 does not allow: a part holding one is a file Word refuses to open. */
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

/** Every XML part of an Office file that holds a character XML does not allow, by name. */
async function partsWithNonXml(file: Buffer): Promise<string[]> {
  const zip = await JSZip.loadAsync(file);
  const names = Object.keys(zip.files).filter((name) => /\.(xml|rels)$/.test(name));
  const texts = await Promise.all(names.map(async (name) => [name, await (zip.file(name) as JSZip.JSZipObject).async('string')] as const));
  return texts.filter(([, text]) => NOT_XML.test(text)).map(([name]) => name);
}

/**
 * Text fields take control characters inside visible text (a title pasted from another program), and the events
 * keep them. The Word documents are built from those events: with a control character in a session's name, a title
 * or an answer, the report and the answer compilation were files Word could not open.
 */
describe('Word documents from text with control characters', () => {
  const { api, people } = startedApi();

  it('are well-formed: the report and the answer compilation drop what XML does not allow, and keep the text', async () => {
    await ensureDirectory(api, people);
    expect((await api.post('/sessions', people.office, { id: '6-4', name: '六届四次\u0002会议', year: 2020 })).status).toBe(201);
    const filed = await api.post('/proposals', people.member, { session: '6-4', title: '关于\u0003加强\u000b垃圾分类的建议', body: '建议\u0000。', category: 'environment' });
    expect(filed.status).toBe(201);
    const id = filed.body.id as string;
    expect((await api.post(`/proposals/${id}/register`, people.committee)).status).toBe(200);
    expect((await api.post(`/proposals/${id}/assign`, people.office, { leadUnit: 'fgw' })).status).toBe(200);
    expect((await api.post(`/proposals/${id}/answers`, people.lead, { category: 'A', text: '已\u0004纳入\uffff计划。', publish: true })).status).toBe(200);
    expect((await api.post(`/proposals/${id}/publication`, people.office)).status).toBe(200);
    expect((await api.read(`/proposals/${id}`, people.office)).status).toBe(200); // the read models have it all
    for (const path of ['/public/answers.docx?session=6-4', '/sessions/6-4/report.docx']) {
      const response = await fetch(`${api.baseUrl}${path}`, { headers: { authorization: `Bearer ${people.auditor}` } });
      expect(response.status).toBe(200);
      const file = Buffer.from(await response.arrayBuffer());
      expect({ path, parts: await partsWithNonXml(file) }).toEqual({ path, parts: [] });
      const zip = await JSZip.loadAsync(file);
      const text = (await (zip.file('word/document.xml') as JSZip.JSZipObject).async('string')).replace(/<[^>]+>/g, '');
      expect(text).toContain('六届四次会议');
      if (path.startsWith('/public')) expect(text).toEqual(expect.stringContaining('关于加强垃圾分类的建议'));
      if (path.startsWith('/public')) expect(text).toEqual(expect.stringContaining('已纳入计划。'));
    }
  });

  /** The name a browser saves the file of `path` as (`filename*`), and the status. */
  async function savedAs(path: string, token?: string): Promise<{ status: number; name: string }> {
    const response = await fetch(`${api.baseUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    await response.arrayBuffer();
    const star = /filename\*=UTF-8''([^;]+)/.exec(response.headers.get('content-disposition') ?? '');
    return { status: response.status, name: star ? decodeURIComponent(star[1]) : '' };
  }

  it('name their files after any session name: cut before the extension and between characters, without format characters', async () => {
    await ensureDirectory(api, people);
    // 119 letters and two emoji: the 120 characters a file name keeps ended inside the first emoji, and every file of
    // the session (the public answer compilation too) was a 500; a longer name lost the file's extension.
    expect((await api.post('/sessions', people.office, { id: '6-5', name: `${'x'.repeat(119)}🙂🙂`, year: 2021 })).status).toBe(201);
    // A right-to-left override shows "…\u202excod.docx" as "…xcod.docx" reversed; a lone surrogate cannot be UTF-8.
    expect((await api.post('/sessions', people.office, { id: '6-6', name: '会议\u202egnp\ud800', year: 2022 })).status).toBe(201);
    expect((await api.read('/sessions/6-6', people.office)).status).toBe(200);
    const report = await savedAs('/sessions/6-5/report.docx', people.auditor);
    expect(report).toEqual({ status: 200, name: `${'x'.repeat(115)}.docx` });
    expect(await savedAs('/public/answers.docx?session=6-5')).toEqual({ status: 200, name: `${'x'.repeat(115)}.docx` });
    expect(await savedAs('/sessions/6-5/statistics?format=csv', people.auditor)).toEqual({ status: 200, name: `${'x'.repeat(119)}🙂.csv` });
    expect(await savedAs('/sessions/6-6/report.docx', people.auditor)).toEqual({ status: 200, name: '会议gnp\ufffd提案办理情况报告.docx' });
  });
});
