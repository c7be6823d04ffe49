/**
 * Printing the paper ticket. A failure here never undoes the ticket: the submit runs in a
 * savepoint, and what went wrong is returned for the kiosk screen (the job's own failed state and
 * event tell staff).
 */
import type { Db } from '../store/db.ts';
import type { Tx } from '../events.ts';
import type { PrintSubmitter } from '../printing/api.ts';
import type { DeviceManager } from '../devices.ts';
import { messageViOf } from '../../drivers/contracts.ts';
import type { QueueConfig } from './config.ts';
import type { IssueResult, Notice, QueueTicketData } from './schemas.ts';

export interface TicketPrintDeps {
  db: Db;
  config: QueueConfig;
  printing: PrintSubmitter;
  /** Why the ticket printer cannot print now, if it cannot. */
  printerProblem: (printer: string | undefined) => Notice | undefined;
}

export type PrintOutcome = Pick<IssueResult, 'printJobId' | 'printError'>;

export function printTicket(d: TicketPrintDeps, t: IssueResult, tx?: Tx): PrintOutcome {
  const printer = d.config.printing.printer || undefined;
  const service = d.config.services.find((s) => s.id === t.serviceId);
  const category = d.config.priority.categories.find((c) => c.id === t.priority);
  const counters = d.config.counters.filter((c) => c.services.includes(t.serviceId)).map((c) => c.name);
  const hint = [category ? `Ưu tiên: ${category.name}` : '', counters.join(', ')].filter(Boolean).join(' · ').slice(0, 120);
  const data: QueueTicketData = {
    number: t.number,
    serviceName: service?.name ?? t.serviceId,
    ...(service?.nameEn ? { serviceNameEn: service.nameEn } : {}),
    issuedAt: t.issuedAt,
    waitingAhead: t.waitingAhead,
    // An estimate beyond the working day means nothing on paper; the ticket then shows none.
    ...(t.estimatedWaitMinutes !== undefined && t.estimatedWaitMinutes <= 1440 ? { estimatedWaitMinutes: t.estimatedWaitMinutes } : {}),
    ...(hint ? { counterHint: hint } : {}),
  };
  let jobId: string;
  try {
    const submit = () => d.printing.submit({ template: 'queue-ticket', printer, data }, tx);
    jobId = (tx ? d.db.transaction(submit)() : submit()).id;
  } catch (err) {
    const e = err as Error & { code?: unknown };
    const vi = messageViOf(err);
    return {
      printError: {
        code: typeof e.code === 'string' ? e.code : 'print-failed',
        message: `The ticket could not be printed (${e.message}); please note your number`,
        messageVi: `Không in được phiếu${vi ? ` (${vi})` : ''}; xin ghi nhớ số thứ tự`,
      },
    };
  }
  const problem = d.printerProblem(printer);
  return problem ? { printJobId: jobId, printError: problem } : { printJobId: jobId };
}

/** The ticket printer's trouble from its device status (paper out, cover open, offline). */
export function printerProblemFrom(devices: DeviceManager, defaultPrinter: string): (printer: string | undefined) => Notice | undefined {
  return (printer) => {
    const id = printer || defaultPrinter || devices.ofType('printer')[0]?.id;
    const dev = id ? devices.get(id) : undefined;
    if (!dev) return undefined;
    const st = dev.status();
    const trouble = st.state !== 'connected' || (st.code !== undefined && /paper-out|cover-open|offline|error/.test(st.code));
    if (!trouble) return undefined;
    return {
      code: st.code ?? `printer-${st.state}`,
      message: `The ticket printer is not ready (${st.reason}); please note your number and tell staff`,
      messageVi: `Máy in phiếu chưa sẵn sàng (${st.reasonVi}); xin ghi nhớ số thứ tự và báo nhân viên`,
    };
  };
}
