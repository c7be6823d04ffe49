/**
 * Every driver the agent knows, by family and name. Adding a driver is one line here.
 */
import type { DeviceType } from './contracts.ts';
import type { DriverEntry } from './driver.ts';
import { driver as simulatedBarcode } from './barcode/simulated.ts';
import { driver as serialBarcode } from './barcode/serial.ts';
import { driver as hidBarcode } from './barcode/hid.ts';
import { driver as simulatedPrinter } from './printer/simulated.ts';
import { driver as tcpPrinter } from './printer/escpos-tcp.ts';
import { driver as serialPrinter } from './printer/escpos-serial.ts';
import { driver as devicePrinter } from './printer/escpos-device.ts';
import { driver as cupsPrinter } from './printer/cups.ts';
import { driver as simulatedScanner } from './scanner/simulated.ts';
import { driver as saneScanner } from './scanner/sane.ts';
import { driver as esclScanner } from './scanner/escl.ts';

function family(...entries: DriverEntry[]): Record<string, DriverEntry> {
  return Object.fromEntries(entries.map((e) => [e.name, e]));
}

export const driverRegistry: Record<DeviceType, Record<string, DriverEntry>> = {
  barcode: family(simulatedBarcode, serialBarcode, hidBarcode),
  printer: family(simulatedPrinter, tcpPrinter, serialPrinter, devicePrinter, cupsPrinter),
  'document-scanner': family(simulatedScanner, saneScanner, esclScanner),
};

export function driverNames(type: DeviceType): string[] {
  return Object.keys(driverRegistry[type] ?? {});
}
