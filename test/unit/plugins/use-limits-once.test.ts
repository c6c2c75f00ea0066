/**
 * src/plugins/use-limits.ts `armorOnce`: armor's plugins are run once when the gateway is built; their rules
 * and parser are taken in armor's order, and a plugin doing anything else is refused at build time.
 */
import { describe, expect, it } from 'vitest';
import { parse, validate, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { armorOnce, useLimits } from '../../../src/plugins/use-limits.ts';
import { buildSchema } from '../../../schema/index.ts';

describe('armorOnce', () => {
  it('takes each rule and the parser once, in order', () => {
    const first = (_: ValidationContext) => ({});
    const second = (_: ValidationContext) => ({});
    const parser = () => parse('{ a }');
    const { rules, parse: taken } = armorOnce([
      { onValidate: ({ addValidationRule }) => addValidationRule(first) },
      { onParse: ({ setParseFn }) => setParseFn(parser) },
      { onValidate: ({ addValidationRule }) => addValidationRule(second) },
    ]);
    expect(rules).toEqual([first, second]);
    expect(taken).toBe(parser);
  });

  it('refuses a plugin that does more than add a rule or set the parser', () => {
    const plugins: Plugin[][] = [
      [{ onExecute: () => undefined }],
      [{ onValidate: ({ setResult }) => setResult([]) }],
      [{ onValidate: () => () => undefined }],
      [{ onParse: ({ params }) => void params.source }],
    ];
    for (const list of plugins) expect(() => armorOnce(list)).toThrow(/graphql-armor|Cannot read/);
  });

  it('gives the gateway the five limits in one plugin, each still enforced', () => {
    const limits = useLimits({ maxDepth: 2 });
    expect(limits).toHaveLength(1);
    const added: unknown[] = [];
    let validateWith: unknown;
    limits[0]!.onValidate!({
      addValidationRule: (rule: unknown) => added.push(rule),
      validateFn: validate,
      setValidationFn: (fn: unknown) => (validateWith = fn),
    } as never);
    expect(added).toHaveLength(4); // cost, aliases, directives, depth (tokens are counted while parsing)
    // armor throws; the wrapper makes it the typed refusal.
    expect(() => (validateWith as typeof validate)(buildSchema(), parse('{ healthCard { basicData { __typename } } }'), added as never)).toThrow(
      expect.objectContaining({ message: 'Query depth limit of 2 exceeded, found 3.', extensions: expect.objectContaining({ code: 'QUERY_TOO_DEEP', limit: 2 }) }),
    );
  });
});
