import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { installSignalHandlers, SHUTDOWN_SIGNALS, type SignalSource } from '../../../src/server.ts';
import { createMemoryLogger } from '../../helpers/stand-in-schema.ts';

function fakeProcess() {
  const source = new EventEmitter();
  return {
    source: source as SignalSource,
    emit: (signal: string) => source.emit(signal, signal),
    count: () => SHUTDOWN_SIGNALS.reduce((n, s) => n + source.listenerCount(s), 0),
  };
}

describe('installSignalHandlers', () => {
  it('handles SIGINT, SIGTERM, SIGBREAK and SIGHUP, calling onSignal once', async () => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGBREAK', 'SIGHUP']) {
      const fake = fakeProcess();
      const onSignal = vi.fn(async () => {});
      const exit = vi.fn();
      const uninstall = installSignalHandlers(onSignal, { source: fake.source, exit });
      fake.emit(signal);
      expect(onSignal).toHaveBeenCalledWith(signal);
      expect(exit).not.toHaveBeenCalled();
      uninstall();
      expect(fake.count()).toBe(0);
    }
  });

  it('forces exit on a second signal', () => {
    const fake = fakeProcess();
    const onSignal = vi.fn(() => new Promise<void>(() => {})); // shutdown hangs
    const exit = vi.fn();
    const logger = createMemoryLogger();
    installSignalHandlers(onSignal, { source: fake.source, exit, logger });
    fake.emit('SIGINT');
    fake.emit('SIGINT');
    expect(onSignal).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(130);
    expect(logger.entries.map((e) => e.level)).toEqual(['info', 'warn']);
  });

  it('exits 1 when shutdown fails', async () => {
    const fake = fakeProcess();
    const exit = vi.fn();
    installSignalHandlers(async () => {
      throw new Error('dispose failed');
    }, { source: fake.source, exit });
    fake.emit('SIGTERM');
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(1));
  });
});
