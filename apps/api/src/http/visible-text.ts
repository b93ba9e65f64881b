import { registerDecorator, type ValidationOptions } from 'class-validator';

/**
 * A character a reader can see. Not: whitespace (U+3000 included), control and format characters (the zero-width
 * space, joiners, the BOM, bidi controls, tag characters), lone surrogates, combining marks with nothing to combine
 * with, variation selectors, and the blank-looking fillers Unicode marks as ignorable (Hangul fillers), plus the
 * braille blank. Private-use characters count as visible: rare characters of names are often typed as such.
 */
const VISIBLE = /[^\p{White_Space}\p{Cc}\p{Cf}\p{Cs}\p{M}\p{Default_Ignorable_Code_Point}\u2800]/u;

/** Whether a text has at least one visible character: a title of a zero-width space has none. */
export const hasVisibleText = (value: unknown): value is string => typeof value === 'string' && VISIBLE.test(value);

/**
 * Every free-text field of a command (titles, reasons, answers, notes, names): text nobody can see would be kept
 * in the trail and shown as an empty line. The 400 names the field: "must contain visible characters".
 */
export function HasVisibleText(options: ValidationOptions = {}): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'hasVisibleText',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: options.each ? 'each value in $property must contain visible characters' : '$property must contain visible characters',
        ...options,
      },
      validator: { validate: hasVisibleText },
    });
}
