import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  CardError,
  ControlSoftwareError,
  PinError,
  ReaderError,
  VisitError,
  ERROR_CLASSES,
} from '../../../src/errors/gateway-errors.ts';
import {
  GATEWAY_CODES,
  actionPendingError,
  callTimeoutError,
  cardRemovedError,
  controlSoftwareUnavailableError,
  gatewayError,
  missingExportError,
  notAnNhiCardError,
  readerNotFoundError,
  simulatorOnlyError,
  treatmentIdPendingError,
} from '../../../src/errors/gateway-codes.ts';

describe('GATEWAY_CODES', () => {
  it('holds the gateway-only codes of the brief, each once', () => {
    const codes = GATEWAY_CODES.map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of [
      'CALL_TIMEOUT',
      'CONTROL_SOFTWARE_UNAVAILABLE',
      'MISSING_EXPORT',
      'CARD_REMOVED',
      'NOT_AN_NHI_CARD',
      'READER_NOT_FOUND',
      'ACTION_PENDING',
      'SIMULATOR_ONLY',
      'TREATMENT_ID_PENDING',
    ]) {
      expect(codes).toContain(code);
    }
  });

  it('gatewayError builds the class of each entry, with vendorCode null', () => {
    for (const e of GATEWAY_CODES) {
      const error = gatewayError(e.code);
      expect(error).toBeInstanceOf(ERROR_CLASSES[e.category]);
      expect(error.code).toBe(e.code);
      expect(error.vendorCode).toBeNull();
      expect(error.retryable).toBe(e.retryable);
    }
  });

  it('has the classes and retry flags the brief asks for', () => {
    expect(gatewayError('CALL_TIMEOUT')).toBeInstanceOf(ControlSoftwareError);
    expect(gatewayError('CALL_TIMEOUT').retryable).toBe(true);
    expect(gatewayError('CONTROL_SOFTWARE_UNAVAILABLE').hintEn).toMatch(/5\.1\.5/);
    expect(gatewayError('CONTROL_SOFTWARE_UNAVAILABLE').hintEn).toMatch(/nhi-gateway-win-x86\.exe/);
    expect(gatewayError('CARD_REMOVED')).toBeInstanceOf(CardError);
    expect(gatewayError('CARD_REMOVED').retryable).toBe(true);
    expect(gatewayError('NOT_AN_NHI_CARD')).toBeInstanceOf(CardError);
    expect(gatewayError('READER_NOT_FOUND')).toBeInstanceOf(ReaderError);
    expect(gatewayError('ACTION_PENDING')).toBeInstanceOf(PinError);
    expect(gatewayError('ACTION_PENDING').retryable).toBe(true);
    expect(gatewayError('SIMULATOR_ONLY')).toBeInstanceOf(ControlSoftwareError);
    expect(gatewayError('TREATMENT_ID_PENDING')).toBeInstanceOf(VisitError);
    expect(gatewayError('TREATMENT_ID_PENDING').hintEn).toMatch(/treatmentIdForVisit/);
  });

  it('applies overrides', () => {
    const error = gatewayError('CALL_TIMEOUT', { retryable: false, text: { zh: '測試', en: 'test' } });
    expect(error.retryable).toBe(false);
    expect(error.messageEn).toBe('test');
    expect(error.hintEn).not.toBeNull();
  });

  it('types gatewayError and the factories by class', () => {
    expectTypeOf(gatewayError('CARD_REMOVED')).toEqualTypeOf<CardError>();
    expectTypeOf(gatewayError('ACTION_PENDING')).toEqualTypeOf<PinError>();
    expectTypeOf(callTimeoutError()).toEqualTypeOf<ControlSoftwareError>();
    expectTypeOf(treatmentIdPendingError()).toEqualTypeOf<VisitError>();
  });

  it('has a factory per brief code', () => {
    expect(callTimeoutError().code).toBe('CALL_TIMEOUT');
    expect(callTimeoutError('hisGetSeqNumber256N1').messageEn).toContain('hisGetSeqNumber256N1');
    expect(controlSoftwareUnavailableError().code).toBe('CONTROL_SOFTWARE_UNAVAILABLE');
    expect(missingExportError().code).toBe('MISSING_EXPORT');
    expect(missingExportError('hisGetTreatNumICCard').messageZh).toContain('hisGetTreatNumICCard');
    expect(cardRemovedError()).toBeInstanceOf(CardError);
    expect(notAnNhiCardError().code).toBe('NOT_AN_NHI_CARD');
    expect(readerNotFoundError()).toBeInstanceOf(ReaderError);
    expect(actionPendingError()).toBeInstanceOf(PinError);
    expect(simulatorOnlyError().code).toBe('SIMULATOR_ONLY');
    expect(treatmentIdPendingError().code).toBe('TREATMENT_ID_PENDING');
  });
});
