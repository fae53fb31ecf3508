import {
  alertSeverityValues,
  eventKindValues,
  operationThemeValues,
  type AlertSeverity,
  type EventKind,
  type OperationTheme,
} from '@app/contracts';
import { TensionError, TensionErrorCode } from './tension.error';

/** How serious a conflict is (the contract's `AlertSeverity`); `NONE` in a rule silences a pair. */
const ALERT_SEVERITIES = alertSeverityValues;

/** One side of a pair rule: a kind, narrowed to one theme for a scheduled operation. */
export interface RuleSide {
  readonly kind: EventKind;
  readonly theme: OperationTheme | null;
}

/** A pair rule: the two sides (unordered) and the severity of their conflict. */
export interface AlertRule {
  /** `KIND[/THEME]:KIND[/THEME]`, as written in the configuration. */
  readonly name: string;
  readonly a: RuleSide;
  readonly b: RuleSide;
  readonly severity: AlertSeverity | 'NONE';
}

/**
 * The default pair rules (README, "Conflict alerts"): a march meeting an official visit,
 * another march or a static demonstration is serious; a static demonstration at a visit too;
 * a march through a scheduled operation less so, and not at all through a flea market, which
 * the operation is there to police anyway.
 */
export const DEFAULT_ALERT_RULES: readonly string[] = Object.freeze([
  'MOVING_DEMONSTRATION:OFFICIAL_VISIT=HIGH',
  'MOVING_DEMONSTRATION:MOVING_DEMONSTRATION=HIGH',
  'MOVING_DEMONSTRATION:STATIC_DEMONSTRATION=HIGH',
  'MOVING_DEMONSTRATION:SCHEDULED_OPERATION=MEDIUM',
  'MOVING_DEMONSTRATION:SCHEDULED_OPERATION/MARCHE_AUX_PUCES=NONE',
  'STATIC_DEMONSTRATION:OFFICIAL_VISIT=HIGH',
  'STATIC_DEMONSTRATION:STATIC_DEMONSTRATION=MEDIUM',
  'STATIC_DEMONSTRATION:SCHEDULED_OPERATION=LOW',
  'STATIC_DEMONSTRATION:SCHEDULED_OPERATION/MARCHE_AUX_PUCES=NONE',
]);

const RULE = /^([A-Z_]+)(?:\/([A-Z_]+))?:([A-Z_]+)(?:\/([A-Z_]+))?=([A-Z]+)$/;

function sideOf(kind: string, theme: string | undefined, text: string): RuleSide {
  if (!(eventKindValues as readonly string[]).includes(kind))
    throw new TensionError(
      TensionErrorCode.InvalidModel,
      `alert rule ${text}: unknown kind ${kind}`,
    );
  if (theme === undefined) return { kind: kind as EventKind, theme: null };
  if (
    kind !== 'SCHEDULED_OPERATION' ||
    !(operationThemeValues as readonly string[]).includes(theme)
  )
    throw new TensionError(
      TensionErrorCode.InvalidModel,
      `alert rule ${text}: a theme (${theme}) narrows only SCHEDULED_OPERATION, to one of ${operationThemeValues.join(', ')}`,
    );
  return { kind, theme: theme as OperationTheme };
}

/** One rule from its text, `KIND[/THEME]:KIND[/THEME]=SEVERITY|NONE`; throws `InvalidModel`. */
export function parseAlertRule(text: string): AlertRule {
  const match = RULE.exec(text.trim());
  if (match === null)
    throw new TensionError(
      TensionErrorCode.InvalidModel,
      `alert rule ${text}: expected KIND[/THEME]:KIND[/THEME]=${ALERT_SEVERITIES.join('|')}|NONE`,
    );
  const [, kindA = '', themeA, kindB = '', themeB, severity = ''] = match;
  if (severity !== 'NONE' && !(ALERT_SEVERITIES as readonly string[]).includes(severity))
    throw new TensionError(
      TensionErrorCode.InvalidModel,
      `alert rule ${text}: severity ${severity} is not one of ${ALERT_SEVERITIES.join(', ')}, NONE`,
    );
  const a = sideOf(kindA, themeA, text);
  const b = sideOf(kindB, themeB, text);
  return {
    name: text.trim().split('=')[0] ?? '',
    a,
    b,
    severity: severity as AlertRule['severity'],
  };
}

const sameSides = (x: AlertRule, y: AlertRule): boolean =>
  (sideKey(x.a) === sideKey(y.a) && sideKey(x.b) === sideKey(y.b)) ||
  (sideKey(x.a) === sideKey(y.b) && sideKey(x.b) === sideKey(y.a));

const sideKey = (side: RuleSide): string => `${side.kind}/${side.theme ?? ''}`;

/**
 * The rules in force: the defaults, each replaced by a configured rule naming the same two
 * sides (in either order), plus the configured rules that name new ones.
 */
export function alertRulesOf(configured: readonly string[] = []): AlertRule[] {
  const rules = DEFAULT_ALERT_RULES.map(parseAlertRule);
  for (const rule of configured.map(parseAlertRule)) {
    const at = rules.findIndex((known) => sameSides(known, rule));
    if (at < 0) rules.push(rule);
    else rules[at] = rule;
  }
  return rules;
}

/** An event as the pair rules see it. */
export interface RuleSubject {
  readonly kind: EventKind;
  readonly theme: OperationTheme | null;
}

const fits = (side: RuleSide, event: RuleSubject): boolean =>
  side.kind === event.kind && (side.theme === null || side.theme === event.theme);

/**
 * The rule that applies to two events (in either order): of the rules that fit, the one that
 * names the most themes (`…/MARCHE_AUX_PUCES` before the plain kind); undefined when none fits
 * or the one that applies says `NONE`.
 */
export function ruleFor(
  rules: readonly AlertRule[],
  x: RuleSubject,
  y: RuleSubject,
): (AlertRule & { readonly severity: AlertSeverity }) | undefined {
  let best: AlertRule | undefined;
  let bestThemes = -1;
  for (const rule of rules) {
    if (!((fits(rule.a, x) && fits(rule.b, y)) || (fits(rule.a, y) && fits(rule.b, x)))) continue;
    const themes = (rule.a.theme === null ? 0 : 1) + (rule.b.theme === null ? 0 : 1);
    if (themes > bestThemes) [best, bestThemes] = [rule, themes];
  }
  if (best === undefined || best.severity === 'NONE') return undefined;
  return best as AlertRule & { readonly severity: AlertSeverity };
}
