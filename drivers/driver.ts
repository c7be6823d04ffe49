/**
 * What a driver module exports: its config schema (validated per device) and a factory.
 * A new device family member is one file exporting a DriverEntry and one line in registry.ts.
 */
import Type, { type TSchema, type TProperties, type TObject } from 'typebox';
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
  create(config: any, deps: DriverDeps): AnyDevice;
}

/** The device schema for one driver: the common keys plus the driver's own. */
export function deviceSchema<P extends TProperties>(type: DeviceType, driver: string, props: P, description: string): TObject {
  return Type.Object(
    {
      id: key(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' }), { title: 'Device id', description: 'Unique id used in the API.', default: '' }),
      type: key(Type.Literal(type), { title: 'Device family', description: `Always ${type} for this driver.`, default: type }),
      driver: key(Type.Literal(driver), { title: 'Driver', description: `Always ${driver}.`, default: driver }),
      ...props,
    },
    { additionalProperties: false, title: `${type}/${driver}`, description },
  );
}
