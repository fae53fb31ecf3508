import { alertRulesOf, parseAlertRule, ruleFor, type RuleSubject } from './alert-rules';
import { TensionError } from './tension.error';

const march: RuleSubject = { kind: 'MOVING_DEMONSTRATION', theme: null };
const sitIn: RuleSubject = { kind: 'STATIC_DEMONSTRATION', theme: null };
const visit: RuleSubject = { kind: 'OFFICIAL_VISIT', theme: null };
const fleaMarket: RuleSubject = { kind: 'SCHEDULED_OPERATION', theme: 'MARCHE_AUX_PUCES' };
const roadCheck: RuleSubject = { kind: 'SCHEDULED_OPERATION', theme: 'SECURITE_ROUTIERE' };

describe('alert pair rules', () => {
  const rules = alertRulesOf();

  it('gives each default pair its severity, in either order', () => {
    expect(ruleFor(rules, march, visit)).toMatchObject({
      name: 'MOVING_DEMONSTRATION:OFFICIAL_VISIT',
      severity: 'HIGH',
    });
    expect(ruleFor(rules, visit, march)?.name).toBe('MOVING_DEMONSTRATION:OFFICIAL_VISIT');
    expect(ruleFor(rules, march, march)?.severity).toBe('HIGH');
    expect(ruleFor(rules, sitIn, march)).toMatchObject({
      name: 'MOVING_DEMONSTRATION:STATIC_DEMONSTRATION',
      severity: 'HIGH',
    });
    expect(ruleFor(rules, sitIn, visit)?.severity).toBe('HIGH');
    expect(ruleFor(rules, march, roadCheck)).toMatchObject({
      name: 'MOVING_DEMONSTRATION:SCHEDULED_OPERATION',
      severity: 'MEDIUM',
    });
  });

  it('lets the rule naming a theme win over the plain kind: no alert at a flea market', () => {
    expect(ruleFor(rules, march, fleaMarket)).toBeUndefined();
    expect(ruleFor(rules, fleaMarket, sitIn)).toBeUndefined();
  });

  it('gives no alert to a pair no rule names', () => {
    expect(ruleFor(rules, visit, visit)).toBeUndefined();
    expect(ruleFor(rules, roadCheck, fleaMarket)).toBeUndefined();
  });

  it('replaces a default naming the same sides and adds new ones', () => {
    const configured = alertRulesOf([
      'SCHEDULED_OPERATION/MARCHE_AUX_PUCES:MOVING_DEMONSTRATION=LOW',
      'OFFICIAL_VISIT:OFFICIAL_VISIT=MEDIUM',
      'OFFICIAL_VISIT:MOVING_DEMONSTRATION=NONE',
    ]);
    expect(ruleFor(configured, march, fleaMarket)?.severity).toBe('LOW');
    expect(ruleFor(configured, visit, visit)?.severity).toBe('MEDIUM');
    expect(ruleFor(configured, march, visit)).toBeUndefined();
    expect(configured).toHaveLength(rules.length + 1);
  });

  it('refuses a rule it cannot read, naming it', () => {
    for (const text of [
      'MOVING_DEMONSTRATION:RIOT=HIGH',
      'MOVING_DEMONSTRATION:OFFICIAL_VISIT=URGENT',
      'OFFICIAL_VISIT/CODAF:MOVING_DEMONSTRATION=LOW',
      'SCHEDULED_OPERATION/BINGO:MOVING_DEMONSTRATION=LOW',
      'MOVING_DEMONSTRATION=HIGH',
    ]) {
      expect(() => parseAlertRule(text)).toThrow(TensionError);
      expect(() => parseAlertRule(text)).toThrow(text);
    }
  });
});
