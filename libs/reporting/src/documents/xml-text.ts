/**
 * Characters XML 1.0 does not allow in a document: C0 controls but tab, line feed and carriage return, and the
 * non-characters U+FFFE and U+FFFF. A text field may hold them (a title pasted with a stray control character, an
 * event stored before anything refused them); written into a .docx or .xlsx part they make the file one Word or
 * Excel refuses to open.
 */
export const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/** The text without the characters XML 1.0 does not allow. */
export const xmlSafeText = (text: string): string => text.replace(NOT_XML, '');

/**
 * The value with every string of it (in plain objects and arrays, at any depth) without the characters XML 1.0 does
 * not allow; anything else as it is. What a Word document is built from goes through it once, at the entry.
 */
export function xmlSafe<T>(value: T): T {
  if (typeof value === 'string') return xmlSafeText(value) as T;
  if (Array.isArray(value)) return value.map((v) => xmlSafe(v)) as T;
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, xmlSafe(v)])) as T;
  }
  return value;
}
