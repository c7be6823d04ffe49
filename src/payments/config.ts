/** Config section `payments`: the account fees are paid into by bank transfer (VietQR). Owned by payments. */
import Type, { type Static } from 'typebox';
import { key, section } from '../../drivers/support/config-key.ts';

export const PaymentsSection = section(
  { title: 'Payments', description: 'How fees (phí, lệ phí) can be paid at the counter besides cash.' },
  {
    vietqr: section(
      { title: 'VietQR', description: 'Bank transfer by VietQR (NAPAS 247): receipts and the counter screen show a code with the amount due and the dossier reference. Off while the bank BIN is empty.' },
      {
        bankBin: key(Type.String({ pattern: '^([0-9]{6})?$' }), {
          title: 'Bank BIN',
          description: 'NAPAS BIN of the bank holding the fee account, 6 digits (e.g. 970415 VietinBank, 970436 Vietcombank). Empty = VietQR off.',
          default: '',
        }),
        accountNumber: key(Type.String({ pattern: '^[A-Za-z0-9]{0,19}$' }), {
          title: 'Account number',
          description: 'Account the fees are paid into: letters and digits, at most 19.',
          default: '',
        }),
        accountName: key(Type.String({ maxLength: 100 }), {
          title: 'Account name',
          description: 'Holder of the account, printed beside the code so the payer can check it against the name the banking app shows. Not part of the code.',
          default: '',
        }),
      },
    ),
  },
);

export type PaymentsConfig = Static<typeof PaymentsSection>;
