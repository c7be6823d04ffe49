/** Child process for printing-spool.test.ts: takes a job to `printing`, then waits to be killed. */
import { buildApp } from '../../src/app.ts';
import type { SimulatedPrinter } from '../../drivers/printer/simulated.ts';
import { ticketData } from '../unit/printing-fixtures.ts';

const agent = await buildApp(JSON.parse(process.env.HCC_TEST_CONFIG!));
await agent.start({ listen: false });
const printer = agent.ctx.devices.get('receipt') as SimulatedPrinter;
printer.write = () => new Promise<void>(() => undefined); // the transfer never completes
const { id } = agent.ctx.printing.submit({ template: 'queue-ticket', data: ticketData() });
const timer = setInterval(() => {
  if (agent.ctx.printing.get(id)?.state === 'printing') {
    clearInterval(timer);
    process.stdout.write(`PRINTING ${id}\n`);
  }
}, 20);
