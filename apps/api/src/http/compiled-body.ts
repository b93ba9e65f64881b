import { TransformationType } from 'class-transformer';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';
import { getMetadataStorage, ValidationTypes, type ValidationArguments } from 'class-validator';

/**
 * The BodyPipe's fast path: what `plainToInstance` and `validateSync` (whitelist, forbidNonWhitelisted,
 * forbidUnknownValues) would make of a body, with everything they look up on every call — a class's rules,
 * inherited ones, its transforms, its validators — looked up once per DTO class. The rules are still the DTOs'
 * class-validator and class-transformer decorators and are checked by their own validator functions; only the
 * bookkeeping is done once. (class-validator scans every class it knows for ancestors and builds an error object for
 * each property of each body: most of the 15–35 µs a command body cost.)
 *
 * It only ever says "valid, here is the instance", and only for the common shape: a known class, top-level fields of
 * JSON scalars or arrays of scalars, synchronous validators. Anything else — a field it does not know, a nested
 * object, a rule that fails — it leaves to the full path (undefined), which then names the field and the reason
 * exactly as before. compiled-body.unit.spec.ts checks on random bodies of every DTO that it never accepts what the
 * full path refuses and builds the same instance when it accepts.
 */

interface Constraint {
  readonly validate: (value: unknown, args: ValidationArguments) => unknown;
}

interface Rule {
  readonly constraints: readonly unknown[];
  readonly validateIf?: (object: object, value: unknown) => boolean;
  readonly each: boolean;
  readonly validators: readonly Constraint[];
}

interface Field {
  /** class-transformer's @Transform functions of the field, in its order. */
  readonly transforms: readonly ((params: { value: unknown; key: string; obj: unknown; type: TransformationType; options: object }) => unknown)[];
  /** @ValidateIf / IfGiven: the field is checked only when all of them say so. */
  readonly conditions: readonly ((object: object, value: unknown) => boolean)[];
  /** @IsDefined rules first, then the others, as class-validator runs them. */
  readonly rules: readonly Rule[];
  /** A nested DTO (@ValidateNested): only its absence is handled here. */
  readonly nested: boolean;
  /** Has a @Type: class-transformer may build its arrays as another collection; arrays are left to it. */
  readonly typed: boolean;
  /** `@Type(() => Number)` (a query's integers), String or Boolean: class-transformer converts a scalar so first. */
  readonly convert?: (value: unknown) => unknown;
}

/** class-transformer's conversions of a scalar to a @Type of String, Number or Boolean (null and undefined kept). */
const CONVERSIONS = new Map<unknown, (value: unknown) => unknown>([
  [String, (value) => (value === null || value === undefined ? value : String(value))],
  [Number, (value) => (value === null || value === undefined ? value : Number(value))],
  [Boolean, (value) => (value === null || value === undefined ? value : Boolean(value))],
]);

interface Plan {
  readonly name: string;
  readonly fields: ReadonlyMap<string, Field>;
  /** The own keys of a new instance (its declared fields), in order: every one is a field above. */
  readonly declared: readonly string[];
}

const storage = getMetadataStorage();
const plans = new Map<Function, Plan | null>();
/** As plainToInstance passes them (its defaults, then `enableImplicitConversion: false`); a transform may read them. */
const TRANSFORM_OPTIONS = Object.freeze({ enableCircularCheck: false, enableImplicitConversion: false, excludeExtraneousValues: false, excludePrefixes: undefined, exposeDefaultValues: false, exposeUnsetFields: true, groups: undefined, ignoreDecorators: false, strategy: undefined, targetMaps: undefined, version: undefined });
const KNOWN_TYPES = new Set([ValidationTypes.CUSTOM_VALIDATION, ValidationTypes.CONDITIONAL_VALIDATION, ValidationTypes.NESTED_VALIDATION, ValidationTypes.IS_DEFINED, ValidationTypes.WHITELIST]);

/** The class's plan, made on first use; null when the class uses something the fast path does not do. */
function planOf(type: Function): Plan | null {
  let plan = plans.get(type);
  if (plan === undefined) {
    plan = makePlan(type);
    plans.set(type, plan);
  }
  return plan;
}

function makePlan(type: Function): Plan | null {
  // Exactly the rules validateSync(instance) finds: no schema name, no groups, `always` off.
  const metadatas = storage.getTargetValidationMetadatas(type, undefined as unknown as string, false, false, undefined);
  if (metadatas.length === 0 || metadatas.some((m) => !KNOWN_TYPES.has(m.type) || typeof m.target !== 'function')) return null;
  if (defaultMetadataStorage.getStrategy(type) !== 'none') return null;
  if (defaultMetadataStorage.getExposedProperties(type, TransformationType.PLAIN_TO_CLASS).length > 0) return null;
  if (defaultMetadataStorage.getExcludedProperties(type, TransformationType.PLAIN_TO_CLASS).length > 0) return null;
  const grouped = storage.groupByPropertyName(metadatas);
  const fields = new Map<string, Field>();
  for (const [name, own] of Object.entries(grouped)) {
    const rules: Rule[] = [];
    for (const m of [...own.filter((m) => m.type === ValidationTypes.IS_DEFINED), ...own.filter((m) => m.type === ValidationTypes.CUSTOM_VALIDATION)]) {
      const validators = storage.getTargetValidatorConstraints(m.constraintCls);
      if (validators.some((c) => c.async)) return null;
      rules.push({
        constraints: m.constraints,
        each: m.each,
        ...(m.validateIf ? { validateIf: m.validateIf } : {}),
        validators: validators.map((c) => c.instance as Constraint),
      });
    }
    // A @Type of String, Number or Boolean converts a scalar (done below); one of Date or Buffer, or a discriminator,
    // is not for the fast path. A @Type of a class leaves scalars as they are.
    const typed = defaultMetadataStorage.findTypeMetadata(type, name);
    const target = typed?.typeFunction?.({ newObject: {}, object: {}, property: name });
    if (typed && (!typed.typeFunction || typed.options?.discriminator || target === Date || target === Buffer)) return null;
    const convert = CONVERSIONS.get(target);
    const transforms = defaultMetadataStorage
      .findTransformMetadatas(type, name, TransformationType.PLAIN_TO_CLASS)
      .filter((t) => !t.options?.groups?.length && t.options?.since === undefined && t.options?.until === undefined)
      .map((t) => t.transformFn);
    fields.set(name, {
      transforms,
      conditions: own.filter((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION).map((m) => m.constraints[0] as (object: object, value: unknown) => boolean),
      rules,
      nested: own.some((m) => m.type === ValidationTypes.NESTED_VALIDATION),
      typed: typed !== undefined,
      ...(convert ? { convert } : {}),
    });
  }
  // A field declared without any rule would be refused by the whitelist on every body: not a class to speed up.
  const declared = Object.keys(new (type as new () => object)());
  if (declared.some((key) => !fields.has(key) || (grouped[key] ?? []).length === 0)) return null;
  return { name: type.name, fields, declared };
}

const isScalar = (value: unknown): boolean => value === null || (typeof value !== 'object' && typeof value !== 'function');

/**
 * The instance of `type` the full path would build from `body`, when the fast path can tell that it is valid;
 * undefined otherwise (then the full path decides, and names what is wrong).
 */
export function compiledBody(type: Function, body: Record<string, unknown>): object | undefined {
  const plan = planOf(type);
  if (!plan) return undefined;
  const instance = new (type as new () => Record<string, unknown>)();
  const prototype = type.prototype as object;
  for (const key of Object.keys(body)) {
    const field = plan.fields.get(key);
    if (!field || key === '__proto__' || key === 'constructor') return undefined;
    // class-transformer skips what the prototype defines (a method, a getter): never a DTO field, so not fast.
    const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
    if ((descriptor && !descriptor.set) || instance[key] instanceof Function) return undefined;
    let value = body[key];
    if (Array.isArray(value)) {
      if (field.typed || !value.every(isScalar)) return undefined;
      value = value.slice();
    } else if (!isScalar(value)) return undefined;
    else if (field.convert) value = field.convert(value);
    for (const transform of field.transforms) value = transform({ value, key, obj: body, type: TransformationType.PLAIN_TO_CLASS, options: TRANSFORM_OPTIONS });
    instance[key] = value;
  }
  return accepts(plan, instance) ? instance : undefined;
}

/** Whether validateSync would find nothing wrong with the instance (false: it might; the full path will say). */
function accepts(plan: Plan, instance: Record<string, unknown>): boolean {
  for (const key of Object.keys(instance)) if (!plan.fields.has(key)) return false; // the whitelist
  for (const [name, field] of plan.fields) {
    const value = instance[name];
    let checked = true;
    for (const condition of field.conditions) if (!condition(instance, value)) checked = false;
    if (!checked) continue;
    for (const rule of field.rules) {
      if (rule.validateIf && !rule.validateIf(instance, value)) continue;
      const args: ValidationArguments = { targetName: plan.name, property: name, object: instance, value, constraints: rule.constraints as unknown[] };
      for (const validator of rule.validators) {
        if (rule.each && (Array.isArray(value) || value instanceof Set || value instanceof Map)) {
          for (const item of value instanceof Map ? value.values() : value) if (!valid(validator.validate(item, args))) return false;
        } else if (!valid(validator.validate(value, args))) return false;
      }
    }
    if (field.nested && value !== undefined) return false;
  }
  return true;
}

/** A promise is an asynchronous verdict, which validateSync would not wait for: not for the fast path to judge. */
const valid = (verdict: unknown): boolean => verdict === true || (Boolean(verdict) && !(verdict instanceof Promise));
