/**
 * Observer (a) of the PC/SC benchmark (issue 4 item 6): a separate process blocking in SCardGetStatusChange on one
 * reader through the gateway's own native loader (src/adapters/pcsc/native.ts), with nothing else in the way —
 * the physical floor (pcscd itself polls vpcd for presence every few hundred ms).
 *
 *   node --import tsx bench/pcsc-direct-listener.ts "<reader name>"
 *
 * stdout: `READY <present 0|1>` once it waits, then `EVENT INSERTED|REMOVED <process.hrtime.bigint()>` per change.
 * hrtime is CLOCK_MONOTONIC on Linux, the same clock in every process, so the parent can subtract across
 * processes. Exits when stdin closes.
 */
import { createNativePcscPort } from '../src/adapters/pcsc/native.ts';
import { pcscCode, STATE } from '../src/adapters/pcsc/codes.ts';

const reader = process.argv[2];
if (!reader) {
  process.stderr.write('usage: pcsc-direct-listener.ts <reader name>\n');
  process.exit(2);
}

const port = createNativePcscPort();
const context = await port.establishContext();
let stopping = false;
process.stdin.on('data', () => undefined);
process.stdin.on('end', () => {
  stopping = true;
  port.cancel(context);
});

let [first] = await port.getStatusChange(context, 0, [{ reader, currentState: 0 }]);
let present = first?.present ?? false;
let current = (first?.eventState ?? 0) & ~STATE.CHANGED;
process.stdout.write(`READY ${present ? 1 : 0}\n`);

while (!stopping) {
  try {
    const [state] = await port.getStatusChange(context, 'INFINITE', [{ reader, currentState: current }]);
    const at = process.hrtime.bigint();
    if (!state) continue;
    current = state.eventState & ~STATE.CHANGED;
    if (state.present !== present) {
      present = state.present;
      process.stdout.write(`EVENT ${present ? 'INSERTED' : 'REMOVED'} ${at}\n`);
    }
  } catch (error) {
    if (pcscCode(error) === 'SCARD_E_CANCELLED' || pcscCode(error) === 'SCARD_E_TIMEOUT') continue;
    process.stderr.write(`direct listener: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
    break;
  }
}
await port.releaseContext(context).catch(() => undefined);
first = undefined;
