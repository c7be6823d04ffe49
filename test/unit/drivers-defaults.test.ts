/** Driver defaults are written once, in each driver's schema: create() fills what a config leaves out from it. */
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { driverRegistry } from '../../drivers/registry.ts';
import type { DeviceType } from '../../drivers/contracts.ts';
import type { SaneScanner } from '../../drivers/scanner/sane.ts';
import type { SimulatedDocumentScanner } from '../../drivers/scanner/simulated.ts';

const deps = { log: pino({ level: 'silent' }), dataDir: '/tmp/hcc-agent-defaults' };
const minimal = (type: DeviceType, driver: string) => ({ id: `${driver}-1`, type, driver });

describe('driver defaults', () => {
  it('every driver builds from a config that gives only id, type and driver (hid also needs a device match)', () => {
    for (const [type, family] of Object.entries(driverRegistry) as [DeviceType, (typeof driverRegistry)[DeviceType]][]) {
      for (const [name, entry] of Object.entries(family)) {
        const cfg = name === 'hid' ? { ...minimal(type, name), vendorId: 0x0c2e } : minimal(type, name);
        const dev = entry.create(cfg, deps);
        expect(dev.id).toBe(`${name}-1`);
        expect(dev.type).toBe(type);
      }
    }
  });

  it('the values come from the schema, and the config passed in is left as it was', () => {
    const cfg = minimal('document-scanner', 'simulated');
    const sim = driverRegistry['document-scanner'].simulated.create(cfg, deps) as SimulatedDocumentScanner;
    expect([sim.pages, sim.components, sim.maxDpi]).toEqual([10, [], 200]);
    expect(cfg).toEqual(minimal('document-scanner', 'simulated'));
    const sane = driverRegistry['document-scanner'].sane.create(minimal('document-scanner', 'sane'), deps) as SaneScanner;
    expect([sane.device, sane.extraArgs]).toEqual(['test', []]);
    expect(driverRegistry.printer.simulated.create(minimal('printer', 'simulated'), deps)).toMatchObject({ widthDots: 576, accepts: 'escpos' });
    expect(driverRegistry.printer.cups.create({ ...minimal('printer', 'cups'), queue: 'A4' }, deps)).toMatchObject({ accepts: 'pdf' });
  });
});
