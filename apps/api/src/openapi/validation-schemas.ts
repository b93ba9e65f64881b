import { ApiProperty } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';

/**
 * The request schemas of the OpenAPI document come from the DTOs' class-validator decorators, the rules the
 * BodyPipe enforces: each rule stays in one place and a field cannot be documented one way and checked another.
 * (`@nestjs/swagger` reads only its own `@ApiProperty` metadata; its CLI plugin, which would infer it, does not run
 * in this tsc build.) A validator with no mapping below stops the document from being built, so that a new kind of
 * rule is documented before it ships (test/http/openapi.e2e.spec.ts builds the document).
 */
type Schema = Record<string, unknown>;
type Rule = (constraints: readonly unknown[]) => Schema;

const RULES: Readonly<Record<string, Rule>> = {
  isString: () => ({ type: 'string' }),
  isInt: () => ({ type: 'integer' }),
  isBoolean: () => ({ type: 'boolean' }),
  isArray: () => ({ type: 'array' }),
  isObject: () => ({ type: 'object' }),
  isBooleanString: () => ({ type: 'string', enum: ['true', 'false'] }),
  isIn: ([values]) => ({ enum: [...(values as unknown[])] }),
  maxLength: ([max]) => ({ maxLength: max }),
  isLength: ([min, max]) => ({ minLength: min, ...(max !== undefined ? { maxLength: max } : {}) }),
  matches: ([pattern]) => ({ pattern: pattern instanceof RegExp ? pattern.source : String(pattern) }),
  min: ([min]) => ({ minimum: min }),
  max: ([max]) => ({ maximum: max }),
  arrayMaxSize: ([max]) => ({ maxItems: max }),
  // The project's own validators (http/command-body.ts, http/visible-text.ts).
  hasVisibleText: () => ({ minLength: 1, description: 'some visible character: not only spaces or zero-width characters' }),
  calendarDate: () => ({ type: 'string', format: 'date' }),
  dateOrInstant: () => ({
    type: 'string',
    pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2}))?$',
    description: 'a business date YYYY-MM-DD (that whole day) or an ISO 8601 instant',
  }),
};

/** Metadata kinds that say nothing about the shape: the whitelist marker, and `IfGiven`/`IsOptional` (read below). */
const SHAPELESS = new Set<string>(['whitelistValidation', 'conditionalValidation', 'isDefined']);

const storage = getMetadataStorage();

function ruleName(m: { name?: string; constraintCls: Function }): string {
  return storage.getTargetValidatorConstraints(m.constraintCls)[0]?.name ?? m.name ?? 'unknown';
}

/** Parents before children: a child's list of documented properties starts from its parent's. */
const depth = (target: Function): number => {
  let n = 0;
  for (let p = Object.getPrototypeOf(target); p && p !== Function.prototype; p = Object.getPrototypeOf(p)) n++;
  return n;
};

let described = false;

/** Every class class-validator has rules for, with its own rules (not its parent's). */
const rulesByClass = (): Map<Function, ValidationMetadataLike[]> =>
  (storage as unknown as { validationMetadatas: Map<Function, ValidationMetadataLike[]> }).validationMetadatas;

/** The names of the classes class-validator checks: the request schemas, closed to other fields. */
export const VALIDATED_CLASS_NAMES = (): string[] => [...rulesByClass().keys()].map((t) => t.name);

/**
 * Gives every class class-validator knows the `@ApiProperty` metadata of what its decorators check: type, enum,
 * lengths, pattern, bounds, array items, nested classes, and `required` unless the field is `IfGiven`. Once per
 * process; the DTO classes never change after they are loaded.
 */
export function describeValidatedClasses(): void {
  if (described) return;
  const byTarget = rulesByClass();
  const targets = [...byTarget.keys()].filter((t): t is Function => typeof t === 'function').sort((a, b) => depth(a) - depth(b));
  for (const target of targets) {
    const own = byTarget.get(target) ?? [];
    for (const property of [...new Set(own.map((m) => m.propertyName))]) describeProperty(target, property, own.filter((m) => m.propertyName === property));
  }
  described = true;
}

interface ValidationMetadataLike {
  readonly type: string;
  readonly name?: string;
  readonly propertyName: string;
  readonly constraints: unknown[];
  readonly constraintCls: Function;
  readonly each: boolean;
}

function describeProperty(target: Function, property: string, rules: readonly ValidationMetadataLike[]): void {
  const own: Schema = {};
  const items: Schema = {};
  let optional = false;
  let nested: Function | undefined;
  for (const m of rules) {
    if (m.type === 'conditionalValidation') optional = true;
    if (m.type === 'nestedValidation') {
      const type = defaultMetadataStorage.findTypeMetadata(target, property);
      nested = type?.typeFunction() as Function | undefined;
      if (!nested) throw new Error(`OpenAPI: ${target.name}.${property} is nested but has no @Type(() => Class)`);
      continue;
    }
    if (SHAPELESS.has(m.type)) continue;
    const name = ruleName(m);
    const rule = RULES[name];
    if (!rule) throw new Error(`OpenAPI: no schema for the validator ${name} of ${target.name}.${property}; add it to openapi/validation-schemas.ts`);
    Object.assign(m.each ? items : own, rule(m.constraints));
  }
  const isArray = own.type === 'array';
  const schema: Schema = isArray
    ? nested
      ? { ...own, type: () => nested, isArray: true }
      : { ...own, items: { type: 'string', ...items } }
    : nested
      ? { type: () => nested }
      : own;
  ApiProperty({ ...schema, required: !optional } as Parameters<typeof ApiProperty>[0])(target.prototype as object, property);
}
