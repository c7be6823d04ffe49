/** Config section `printing`: branding, default printer, per-printer profiles and the spool. Owned by printing. */
import Type, { type Static } from 'typebox';
import { key, section, item } from '../../drivers/support/config-key.ts';

const ProfileItem = item(
  { title: 'Printer profile', description: 'How one printer is driven: raster (any ESC/POS printer, default) or text with a Vietnamese code page.' },
  {
    printer: key(Type.String({ minLength: 1, maxLength: 64 }), { title: 'Printer', description: 'Device id this profile applies to.', default: '' }),
    mode: key(Type.Union([Type.Literal('raster'), Type.Literal('text')]), {
      title: 'Mode',
      description: 'raster: text drawn by the agent (exact preview, works on every printer). text: the printer draws text with its own font in the code page below (faster on slow serial lines; lines the code page cannot hold are sent as raster).',
      default: 'raster',
    }),
    codec: key(Type.Union([Type.Literal('tcvn3'), Type.Literal('viscii'), Type.Literal('cp1258')]), { title: 'Code page', description: 'Vietnamese code page of the printer, for text mode.', default: 'tcvn3' }),
    codePages: key(Type.Array(Type.Integer({ minimum: 0, maximum: 255 }), { minItems: 1, maxItems: 2 }), {
      title: 'ESC t numbers',
      description: 'Printer table numbers for the code page (model-specific, see the printer self-test): tcvn3 needs two (main, capitals; Epson 30, 31), cp1258 one (Epson 52), viscii one.',
      default: [30, 31],
    }),
    bandRows: key(Type.Integer({ minimum: 8, maximum: 1024 }), { title: 'Raster band rows', description: 'Rows per GS v 0 command; lower it for printers with a small receive buffer.', default: 128 }),
    cutFeed: key(Type.Integer({ minimum: 0, maximum: 255 }), { title: 'Extra feed before cut', description: 'Dots fed before the cut command in addition to the printer\'s own feed to the cutter.', default: 0 }),
  },
);

export const PrintingSection = section(
  { title: 'Printing', description: 'Receipt and ticket branding, which printer is used by default, printer profiles and the print spool.' },
  {
    agencyName: key(Type.String({ maxLength: 200 }), { title: 'Agency name', description: 'Printed at the top of receipts and tickets.', default: 'TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG' }),
    receivingUnit: key(Type.String({ maxLength: 200 }), { title: 'Receiving unit', description: 'Second header line of the dossier receipt when the data gives none.', default: 'BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ' }),
    logo: key(Type.String({ maxLength: 1024 }), {
      title: 'Logo',
      description: 'Optional PNG or JPEG printed at the top of tickets, receipts and slips (scaled to at most 60% of the paper width, dithered to black and white). Empty = no logo.',
      default: '',
    }),
    keepDataDays: key(Type.Integer({ minimum: 1, maximum: 3650 }), {
      title: 'Keep job data (days)',
      description: 'Template data of finished jobs (names, addresses, phone numbers) is erased after this many days; the job record and its outcome stay.',
      default: 7,
    }),
    footer: key(Type.String({ maxLength: 500 }), { title: 'Footer', description: 'Printed at the bottom of receipts and tickets.', default: 'Cảm ơn quý khách!' }),
    defaultPrinter: key(Type.String(), { title: 'Default printer', description: 'Device id used when a job names none; empty = the first printer.', default: '' }),
    profiles: key(Type.Array(ProfileItem), { title: 'Printer profiles', description: 'Per-printer rendering settings; printers without a profile print raster.', default: [] }),
    statusPollMs: key(Type.Integer({ minimum: 0, maximum: 3600000 }), {
      title: 'Idle status check interval',
      description: 'How often an idle printer is asked its status (DLE EOT), so paper out or a closed-down printer shows on the admin page before the next job. 0 = only around jobs.',
      default: 30000,
    }),
    waitingPollMs: key(Type.Integer({ minimum: 200, maximum: 600000 }), {
      title: 'Waiting re-check interval',
      description: 'How often a printer with waiting jobs (paper out, cover open, offline) is asked again; waiting jobs resume as soon as it answers fine.',
      default: 2000,
    }),
  },
);

export type PrintingConfig = Static<typeof PrintingSection>;
export type PrinterProfile = Static<typeof ProfileItem>;
