import { SUBMISSION_SCHEMA } from '@app/contracts';
import { schemaFingerprint } from './schema-fingerprint';
import { validateApproval } from './schema-gate';

const TODAY = new Date('2026-12-07T10:00:00Z');

describe('validateApproval', () => {
  it('takes a past or present day, an impact-study reference and an operator identifier', () => {
    expect(
      validateApproval(
        { dpoInformedOn: '2026-12-07', impactStudyRef: 'EIP-2026/014', approver: 'dpo-office' },
        TODAY,
      ),
    ).toEqual({
      ok: true,
      approval: {
        dpoInformedOn: '2026-12-07',
        impactStudyRef: 'EIP-2026/014',
        approver: 'dpo-office',
      },
    });
  });

  it('lists every problem: missing, not a day, in the future, free text for an identifier', () => {
    const refused = (dpoInformedOn?: string, impactStudyRef?: string, approver?: string) => {
      const result = validateApproval({ dpoInformedOn, impactStudyRef, approver }, TODAY);
      return result.ok ? [] : result.problems;
    };
    expect(refused()).toEqual([
      '--dpo-informed-on is required (YYYY-MM-DD)',
      expect.stringMatching(/^--impact-study is required/),
      expect.stringMatching(/^--approver is required/),
    ]);
    expect(refused('2026-02-30', 'EIP-1', 'ops')).toEqual([
      '--dpo-informed-on "2026-02-30" is not a day (YYYY-MM-DD)',
    ]);
    expect(refused('07/12/2026', 'EIP-1', 'ops')).toEqual([
      '--dpo-informed-on "07/12/2026" is not a day (YYYY-MM-DD)',
    ]);
    expect(refused('2026-12-08', 'EIP-1', 'ops')).toEqual([
      '--dpo-informed-on 2026-12-08 is in the future',
    ]);
    expect(refused('2026-12-01', ' ', 'Jeanne Martin')).toEqual([
      expect.stringMatching(/^--impact-study " " is not a reference/),
      expect.stringMatching(/^--approver "Jeanne Martin" is not an operator identifier/),
    ]);
  });
});

describe('schemaFingerprint', () => {
  it('ignores spacing, key order and the namespaces a registry may drop; sees any other change', () => {
    const base = schemaFingerprint(SUBMISSION_SCHEMA);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(schemaFingerprint(JSON.stringify(SUBMISSION_SCHEMA, null, 2))).toBe(base);
    const reordered = Object.fromEntries(Object.entries(SUBMISSION_SCHEMA).reverse());
    expect(schemaFingerprint(reordered)).toBe(base);
    // Apicurio returns nested named types without the namespace their parent implies.
    const implied = JSON.stringify(SUBMISSION_SCHEMA).replaceAll(
      '"name":"Action","namespace":"cortege"',
      '"name":"Action"',
    );
    expect(implied).not.toBe(JSON.stringify(SUBMISSION_SCHEMA));
    expect(schemaFingerprint(implied)).toBe(base);
    const otherDefault = JSON.stringify(SUBMISSION_SCHEMA).replace(
      '"name":"revision","type":"int"',
      '"name":"revision","type":"int","default":1',
    );
    expect(schemaFingerprint(otherDefault)).not.toBe(base);
    const otherNamespace = JSON.stringify(SUBMISSION_SCHEMA).replace(
      '"name":"Action","namespace":"cortege"',
      '"name":"Action","namespace":"elsewhere"',
    );
    expect(schemaFingerprint(otherNamespace)).not.toBe(base);
  });
});
