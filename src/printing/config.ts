/** Config section `printing`: branding and default printers. Owned by printing. */
import Type from 'typebox';
import { key, section } from '../config/key.ts';

export const PrintingSection = section(
  { title: 'Printing', description: 'Receipt and ticket branding and which printer is used by default.' },
  {
    agencyName: key(Type.String({ maxLength: 200 }), { title: 'Agency name', description: 'Printed at the top of receipts and tickets.', default: 'TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG' }),
    footer: key(Type.String({ maxLength: 500 }), { title: 'Footer', description: 'Printed at the bottom of receipts and tickets.', default: 'Cảm ơn quý khách!' }),
    defaultPrinter: key(Type.String(), { title: 'Default printer', description: 'Device id used when a job names none; empty = the first printer.', default: '' }),
  },
);
