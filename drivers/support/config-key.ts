/**
 * Helpers that make every config key carry a title, a description and a default, so the schema
 * documents itself (README reference, OpenAPI, `config check`).
 */
import Type, { type TSchema, type TProperties, type TObject } from 'typebox';

export interface KeyDoc {
  title: string;
  description: string;
}

/** A config key: the schema plus its title, description and default. */
export function key<T extends TSchema>(schema: T, doc: KeyDoc & { default: unknown }): T {
  return { ...schema, ...doc } as T;
}

/** A section (nested object) whose default is built from its keys' defaults. */
export function section<P extends TProperties>(doc: KeyDoc, props: P): TObject<P> {
  const obj = Type.Object(props, { additionalProperties: false, ...doc });
  return { ...obj, default: {} } as TObject<P>;
}

/** A list item object (no default of its own; the list has one). */
export function item<P extends TProperties>(doc: KeyDoc, props: P): TObject<P> {
  return Type.Object(props, { additionalProperties: false, ...doc });
}
