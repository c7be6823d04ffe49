/**
 * What a driver module exports: its config schema (validated per device, carrying every default)
 * and a factory. A new device family member is one file exporting a DriverEntry made with
 * defineDriver() and one line in registry.ts.
 */
import Type, { type Static, type TSchema, type TProperties, type TObject } from 'typebox';
import Value from 'typebox/value';
import type { Logger } from 'pino';
import type { AnyDevice, DeviceType } from './contracts.ts';
import { key } from './support/config-key.ts';

export interface DriverDeps {
  log: Logger;
  /** The agent's data directory (absolute). */
  dataDir: string;
}

export interface DriverEntry {
  type: DeviceType;
  name: string;
  /** One line for the README driver reference. */
  summary: string;
  schema: TSchema;
  /** Builds the device (no I/O); keys the config leaves out take their schema defaults. */
  create(config: Record<string, unknown>, deps: DriverDeps): AnyDevice;
}

/**
 * A driver entry whose create() sees its config with every default of its schema filled in, so
 * the defaults are written once, in the schema. (The config loader fills them too; a config built
 * in code, as in tests, may not have been through it.)
 */
export function defineDriver<S extends TSchema>(def: Omit<DriverEntry, 'schema' | 'create'> & { schema: S; create(config: Static<S>, deps: DriverDeps): AnyDevice }): DriverEntry {
  return { ...def, create: (config, deps) => def.create(withDefaults(def.schema, config), deps) };
}

/** `value` (not changed) with what it leaves out taken from the schema's defaults. */
export function withDefaults<S extends TSchema>(schema: S, value: unknown): Static<S> {
  return Value.Default(schema, Value.Clone(value ?? {})) as Static<S>;
}

type CommonKeys<T extends DeviceType, D extends string> = {
  id: ReturnType<typeof Type.String>;
  type: ReturnType<typeof Type.Literal<T>>;
  driver: ReturnType<typeof Type.Literal<D>>;
};

/** The device schema for one driver: the common keys plus the driver's own. */
export function deviceSchema<T extends DeviceType, D extends string, P extends TProperties>(type: T, driver: D, props: P, description: string): TObject<CommonKeys<T, D> & P> {
  return Type.Object(
    {
      id: key(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' }), { title: 'Device id', description: 'Unique id used in the API.', default: '' }),
      type: key(Type.Literal(type), { title: 'Device family', description: `Always ${type} for this driver.`, default: type }),
      driver: key(Type.Literal(driver), { title: 'Driver', description: `Always ${driver}.`, default: driver }),
      ...props,
    },
    { additionalProperties: false, title: `${type}/${driver}`, description },
  ) as TObject<CommonKeys<T, D> & P>;
}
