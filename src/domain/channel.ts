/**
 * A single-consumer async queue that is live from the moment it is created (a Repeater only starts on
 * the first `next()`): a subscriber registered during GraphQL execution misses no event that happens
 * before the transport starts reading. Bounded: past `capacity` the oldest queued item is dropped, so a
 * stalled client cannot grow the gateway's memory.
 */
export interface Channel<T> extends AsyncIterableIterator<T> {
  push(value: T): void;
  /** Ends the stream after the queued items. */
  close(): void;
}

export function createChannel<T>(onClose: () => void, capacity = 64): Channel<T> {
  const queue: T[] = [];
  const waiting: ((result: IteratorResult<T>) => void)[] = [];
  let closed = false;

  const finish = () => {
    if (closed) return;
    closed = true;
    onClose();
    for (const resolve of waiting.splice(0)) resolve({ value: undefined, done: true });
  };

  const channel: Channel<T> = {
    push(value) {
      if (closed) return;
      const resolve = waiting.shift();
      if (resolve) resolve({ value, done: false });
      else {
        queue.push(value);
        if (queue.length > capacity) queue.shift();
      }
    },
    close: finish,
    next() {
      if (queue.length > 0) return Promise.resolve({ value: queue.shift() as T, done: false });
      if (closed) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => waiting.push(resolve));
    },
    return() {
      queue.length = 0;
      finish();
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(error?: unknown) {
      finish();
      return Promise.reject(error);
    },
    [Symbol.asyncIterator]() {
      return channel;
    },
  };
  return channel;
}
