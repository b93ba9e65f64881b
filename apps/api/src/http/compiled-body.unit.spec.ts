import 'reflect-metadata';
import fc from 'fast-check';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync } from 'class-validator';
import '../app.module.js'; // every controller, so every request DTO's rules are registered
import { compiledBody } from './compiled-body.js';
import { FileProposalDto, SupervisionDto, VisitDto } from '../proposals/proposal.dto.js';
import { ListProposalsQuery } from '../read/query-dto.js';

const storage = getMetadataStorage();
const classes = [...(storage as unknown as { validationMetadatas: Map<Function, { propertyName: string; constraints?: unknown[] }[]> }).validationMetadatas.keys()];

/** The full path of the BodyPipe: what it did for every body before the fast path, and does for every refusal. */
function fullPath(type: Function, body: object): { instance: object; errors: number } {
  const instance = plainToInstance(type as new () => object, body, { enableImplicitConversion: false }) as object;
  return { instance, errors: validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true }).length };
}

/**
 * Values near what each class's own rules accept or refuse: the values of its `IsIn` lists, text around its length
 * limits (with spaces to trim, zero-width and lone characters), dates real and not, numbers around its bounds, and
 * every JSON kind. Each field draws mostly from the values the full path accepts for it alone, so that random bodies
 * are often valid and often just not.
 */
function candidates(type: Function): unknown[] {
  const rules = storage.getTargetValidationMetadatas(type, undefined as unknown as string, false, false, undefined);
  const words = new Set<string>(['fgw', ' fgw ', '6-3', 'm-1', '2019-03-01', '2019-02-30', '2019-03-01T10:00:00+08:00', '2019-03-01T25:00Z', 'true', 'false', '1', '0', '-1', '', 'x']);
  const numbers = new Set<number>([0, 1, -1, 1.5, 2019, Number.MAX_SAFE_INTEGER]);
  for (const rule of rules)
    for (const c of rule.constraints ?? []) {
      if (Array.isArray(c)) for (const v of c) if (typeof v === 'string') words.add(v);
      if (typeof c === 'number')
        for (const n of [c - 1, c, c + 1]) {
          numbers.add(n);
          words.add('字'.repeat(Math.max(0, Math.min(n, 5000))));
        }
    }
  for (const odd of ['\u200b', '\u3000', ' 区财政局 ', '\ud800', '\ufe0f', 'a\u0301', '𠮷'.repeat(64), '<b>x</b>']) words.add(odd);
  const scalars = [...words, ...numbers, true, false, null];
  return [...scalars, [], ...[...words].slice(0, 12).map((w) => [w]), ['fgw', ' czj '], [1], [null], { sub: 'u-1', role: 'unit', unit: 'fgw' }, {}];
}

/** Whether the full path finds anything wrong with the field when it is alone in a body. */
function refusesAlone(type: Function, field: string, value: unknown): boolean {
  const instance = plainToInstance(type as new () => object, { [field]: value }, { enableImplicitConversion: false }) as object;
  return validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true }).some((e) => e.property === field);
}

function bodiesFor(type: Function): fc.Arbitrary<Record<string, unknown>> {
  const names = [...new Set(storage.getTargetValidationMetadatas(type, undefined as unknown as string, false, false, undefined).map((m) => m.propertyName))];
  const pool = candidates(type);
  const valueOf = (name: string): fc.Arbitrary<unknown> => {
    const good = pool.filter((v) => !refusesAlone(type, name, v));
    const any = fc.oneof(fc.constantFrom(...pool), fc.string({ maxLength: 8 }), fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }));
    return good.length > 0 ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...good) }, { weight: 1, arbitrary: any }) : any;
  };
  return fc.tuple(
    fc.record(Object.fromEntries(names.map((n) => [n, valueOf(n)])), { requiredKeys: [] }),
    // One body in eight has a field the class does not have.
    fc.oneof({ weight: 7, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.tuple(fc.constantFrom('extra', 'toString', 'prototype'), fc.constantFrom(...pool)) }),
  ).map(([known, extra]) => (extra ? { ...known, [extra[0]]: extra[1] } : known));
}

/** Fixed, as in the bad-input spec, so that a failure reproduces: fast-check prints the shrunk body. */
const SEED = 20260915;

describe(`the BodyPipe fast path (compiled-body.ts) against the full path (fast-check seed ${SEED})`, () => {
  it('knows the request DTOs: there are many to check', () => {
    expect(classes.length).toBeGreaterThan(30);
  });

  /** Per class, how many random bodies with at least one field the fast path took. */
  const taken = new Map<string, number>();

  it.each(classes.map((type) => ({ name: type.name, type })))('$name: accepts only what the full path accepts, and builds the same instance', ({ type }) => {
    let accepted = 0;
    fc.assert(
      fc.property(bodiesFor(type), (body) => {
        const fast = compiledBody(type, body);
        if (fast === undefined) return; // the full path decides, as before
        if (Object.keys(body).length > 0) accepted++;
        const full = fullPath(type, structuredClone(body));
        expect(full.errors).toBe(0);
        expect(Object.getPrototypeOf(fast)).toBe(type.prototype);
        expect(Object.entries(fast)).toEqual(Object.entries(full.instance));
      }),
      { seed: SEED, numRuns: 1000, examples: [[{}]] },
    );
    taken.set(type.name, accepted);
  });

  it('is no vacuous check: for every DTO the fast path took some of the random bodies', () => {
    expect(taken.size).toBe(classes.length);
    expect([...taken].filter(([, n]) => n === 0).map(([name]) => name)).toEqual([]);
  });

  it('takes the bodies of the commands clients send most, trimmed as the full path trims them', () => {
    const visit = compiledBody(VisitDto, { stage: 'during', visitorRank: 'deputy', form: 'on-site', note: '实地察看' });
    expect(visit).toBeInstanceOf(VisitDto);
    expect(compiledBody(SupervisionDto, { key: true })).toBeInstanceOf(SupervisionDto);
    const filing = { session: '6-3', title: '加大扶持民营企业发展的建议', body: '建议设立专项资金。', category: 'economy', coProposers: ['m-2'] };
    expect(Object.entries(compiledBody(FileProposalDto, filing) ?? {})).toEqual(Object.entries(fullPath(FileProposalDto, filing).instance));
    expect(compiledBody(ListProposalsQuery, { session: '6-3', page: '2' })).toBeDefined();
  });

  it('leaves every refusal, a nested body and an unknown field to the full path, which names them', () => {
    expect(compiledBody(VisitDto, { stage: 'later', visitorRank: 'deputy', form: 'on-site' })).toBeUndefined();
    expect(compiledBody(VisitDto, { visitorRank: 'deputy', form: 'on-site' })).toBeUndefined();
    expect(compiledBody(VisitDto, { stage: 'during', visitorRank: 'deputy', form: 'on-site', note: '\u200b' })).toBeUndefined();
    expect(compiledBody(VisitDto, { stage: 'during', visitorRank: 'deputy', form: 'on-site', extra: 1 })).toBeUndefined();
    expect(compiledBody(VisitDto, { stage: 'during', visitorRank: 'deputy', form: 'on-site', onBehalfOf: { sub: 'u-1', role: 'unit', unit: 'fgw' } })).toBeUndefined();
  });
});
