import { filenameOf } from '../../apps/dashboard/src/api/content-disposition.js';
import { contentDisposition } from '../../apps/api/src/http/formats.js';

/** The dashboard saves a download under the name the API gives it: the Chinese one when the header carries it. */
describe('the name a dashboard download is saved under', () => {
  it('is the API’s Chinese name, round trip through the header the API writes', () => {
    for (const name of ['区政协六届三次会议提案办理情况报告（截至2019-12-31）.docx', '提案清单（届次 6-3，状态 已答复）(全部) *;\'.xlsx'])
      expect(filenameOf(contentDisposition(name, 'ascii.xlsx'), 'fallback')).toBe(name);
  });

  it('falls back to the plain filename when filename* is missing, malformed or not UTF-8, then to the route’s name', () => {
    expect(filenameOf('attachment; filename="statistics-6-3.csv"', 'x')).toBe('statistics-6-3.csv');
    expect(filenameOf('attachment; filename=units.csv', 'x')).toBe('units.csv');
    expect(filenameOf(`attachment; filename="a.csv"; filename*=UTF-8''%E5%8C`, 'x')).toBe('a.csv');
    expect(filenameOf(`attachment; filename="b.csv"; filename*=ISO-8859-1''%E4.csv`, 'x')).toBe('b.csv');
    expect(filenameOf(null, 'report.docx')).toBe('report.docx');
    expect(filenameOf('attachment', 'report.docx')).toBe('report.docx');
  });

  it('is never a path', () => {
    expect(filenameOf(`attachment; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd`, 'x')).toBe('.._.._etc_passwd');
  });
});
