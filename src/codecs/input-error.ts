/**
 * Bad input to a codec or validator. The GraphQL layer turns it into BAD_USER_INPUT naming `field` and
 * `rule`, so both must be safe to show: a field name and a rule, never the offending value (it may be a
 * patient's ID number or name).
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  readonly field: string;
  readonly rule: string;

  constructor(field: string, rule: string) {
    super(`${field}: ${rule}`);
    this.field = field;
    this.rule = rule;
  }
}
