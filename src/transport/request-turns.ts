/**
 * Starts at most `perTurn` HTTP requests per event-loop turn; the rest start in the turns after, in arrival order.
 *
 * Why: when many clients keep the gateway busy, one turn of Node's event loop reads every socket that has data
 * and runs each request's synchronous part (parse, validate, execute, answer) before anything else. With 200
 * clients that is 200 requests in a row, and the answer of a control-software call (the light poll's status
 * reads, src/domain/light-monitor.ts) and the poll's own timer wait behind all of them, once per read. Taking
 * requests in bounded batches lets those callbacks in between batches: measured in `npm run bench -- light-delay`
 * (docs/lights-under-load.md). Below `perTurn` concurrent requests nothing waits, so the usual load pays one
 * `setImmediate` per turn.
 */
import { setImmediate } from 'node:timers';

/** @default 16 requests per turn: the gateway benchmark's concurrency never waits. */
export const DEFAULT_REQUESTS_PER_TURN = 16;

export function takeTurns<A extends unknown[]>(start: (...args: A) => void, perTurn = DEFAULT_REQUESTS_PER_TURN): (...args: A) => void {
  if (!Number.isInteger(perTurn) || perTurn < 1) throw new RangeError('perTurn must be a positive integer');
  const waiting: A[] = [];
  let head = 0;
  let startedThisTurn = 0;
  let turnEndArmed = false;

  const armTurnEnd = (): void => {
    if (turnEndArmed) return;
    turnEndArmed = true;
    // An immediate queued now runs at the end of this turn, after the I/O callbacks already read; one queued
    // from there runs in the next turn, after that turn's timers and I/O.
    setImmediate(onTurnEnd);
  };

  function onTurnEnd(): void {
    turnEndArmed = false;
    startedThisTurn = 0;
    while (head < waiting.length && startedThisTurn < perTurn) {
      const args = waiting[head]!;
      waiting[head++] = undefined as unknown as A;
      startedThisTurn++;
      start(...args);
    }
    if (head === waiting.length) {
      waiting.length = 0;
      head = 0;
    }
    // Either more wait, or this batch counts against the next turn's share too.
    if (startedThisTurn > 0) armTurnEnd();
  }

  return (...args: A): void => {
    if (head === waiting.length && startedThisTurn < perTurn) {
      startedThisTurn++;
      armTurnEnd();
      start(...args);
      return;
    }
    waiting.push(args);
    armTurnEnd();
  };
}
