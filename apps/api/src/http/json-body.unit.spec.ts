import fc from 'fast-check';
import { nestsDeeperThan } from './json-body.js';

const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');

/** The depth of a parsed value: 0 for a scalar, 1 for [] or {}. */
const depthOf = (value: unknown): number =>
  typeof value === 'object' && value !== null ? 1 + Math.max(0, ...Object.values(value).map(depthOf)) : 0;

describe('nestsDeeperThan: the depth check before parsing', () => {
  it('counts arrays and objects, not brackets inside strings', () => {
    expect(nestsDeeperThan(bytes('[[[1]]]'), 3)).toBe(false);
    expect(nestsDeeperThan(bytes('[[[[1]]]]'), 3)).toBe(true);
    expect(nestsDeeperThan(bytes('{"a":{"b":{"c":{}}}}'), 3)).toBe(true);
    expect(nestsDeeperThan(bytes(`{"title":"${'['.repeat(100)}"}`), 1)).toBe(false);
    expect(nestsDeeperThan(bytes(`{"title":"\\"[[[[","b":"\\\\"}`), 1)).toBe(false);
    expect(nestsDeeperThan(bytes(`{"t":"\\\\","u":[[[1]]]}`), 3)).toBe(true);
    expect(nestsDeeperThan(bytes(`{"t":"测试【】「」"}`), 1)).toBe(false);
  });

  it('agrees with the parsed depth for any JSON text (seed 20190301)', () => {
    const text = fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', 'a', '测', '\u0000') });
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(text, tie('node'), { maxKeys: 3 })),
    })).node;
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 6 }), (v, max) => {
        expect(nestsDeeperThan(bytes(JSON.stringify(v)), max)).toBe(depthOf(v) > max);
      }),
      { seed: 20190301, numRuns: 2_000 },
    );
  });
});
