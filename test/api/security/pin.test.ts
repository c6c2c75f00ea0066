/**
 * PIN safety: one PIN flow at a time (a second one gets ACTION_PENDING at once, without a second dialog),
 * and a PIN call is never repeated automatically, whatever it returned.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../../src/app.ts';
import { createSimulatorServices, type RunningServices } from '../../../src/services.ts';
import { PinGate, guardPinFlows } from '../../../src/security/pin-gate.ts';
import type { SimulatedWorkstation } from '../../../src/adapters/simulator/workstation.ts';
import { AUTH_HEADERS, TEST_TOKEN } from '../../helpers/auth.ts';
import { createMemoryLogger } from '../../helpers/stand-in-schema.ts';

const PIN = 'mutation { verifyProfessionalCardPin { __typename ... on ProfessionalCard { pinVerified } ... on Error { code category retryable } } }';

let services: RunningServices | undefined;
afterEach(async () => {
  await services?.[Symbol.asyncDispose]();
  services = undefined;
});

function app(latencyMs: number) {
  services = createSimulatorServices({ strategy: 'N1', simulator: { latencyMs } });
  const yoga = createApp(services, { graphiql: false, logger: createMemoryLogger(), security: { token: TEST_TOKEN } });
  const pin = async () => {
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH_HEADERS },
      body: JSON.stringify({ query: PIN }),
    });
    return ((await response.json()) as { data: { verifyProfessionalCardPin: Record<string, unknown> } }).data.verifyProfessionalCardPin;
  };
  return { yoga, pin, workstation: services.simulator as SimulatedWorkstation };
}

describe('PIN flows', () => {
  it('refuses a second concurrent PIN flow with ACTION_PENDING, and allows the next one after', async () => {
    const { pin, workstation } = app(150);
    workstation.insertProfessionalCard('PHYSICIAN');
    const calls = vi.spyOn(workstation, 'hpcVerifyHPCPIN');
    const [first, second] = await Promise.all([pin(), pin()]);
    expect(first).toEqual({ __typename: 'ProfessionalCard', pinVerified: true });
    expect(second).toEqual({ __typename: 'GatewayError', code: 'ACTION_PENDING', category: 'PIN', retryable: true });
    expect(calls).toHaveBeenCalledTimes(1); // the refused one never reached the control software
    expect(await pin()).toMatchObject({ __typename: 'ProfessionalCard' });
    expect(calls).toHaveBeenCalledTimes(2);
  });

  it('never repeats a failed PIN call, and frees the gate after the failure', async () => {
    const { pin, workstation } = app(0);
    workstation.insertProfessionalCard('PHYSICIAN');
    workstation.forceReturnCode('hpcVerifyHPCPIN', 4000); // reader timeout: retryable for a person, not for us
    const calls = vi.spyOn(workstation, 'hpcVerifyHPCPIN');
    expect(await pin()).toMatchObject({ __typename: 'VendorError', code: 'READER_TIMEOUT' });
    expect(calls).toHaveBeenCalledTimes(1);
    workstation.forceReturnCode('hpcVerifyHPCPIN', null);
    expect(await pin()).toMatchObject({ __typename: 'ProfessionalCard', pinVerified: true });
    expect(calls).toHaveBeenCalledTimes(2);
  });

  it('shares one gate between apps over the same services', async () => {
    const { workstation } = app(100);
    workstation.insertProfessionalCard('PHYSICIAN');
    const a = guardPinFlows(services!.cards);
    const b = guardPinFlows(services!.cards);
    expect(a.gate).toBe(b.gate);
    const running = a.cards.verifyProfessionalPin();
    await expect(b.cards.verifyProfessionalPin()).rejects.toMatchObject({ code: 'ACTION_PENDING' });
    expect(a.gate.pending).toBe('verifyProfessionalPin');
    await running;
    expect(a.gate.pending).toBeNull();
    // Other card calls are not held up by the PIN gate.
    await expect(a.cards.describe()).resolves.toMatchObject({ backend: 'simulator' });
  });

  it('PinGate runs the call exactly once and rethrows its failure', async () => {
    const gate = new PinGate();
    const call = vi.fn(async () => {
      throw new Error('cancelled on the keypad');
    });
    await expect(gate.run('verify', call)).rejects.toThrow('cancelled on the keypad');
    expect(call).toHaveBeenCalledTimes(1);
    expect(gate.pending).toBeNull();
  });
});
