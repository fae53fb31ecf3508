import { AccessError } from './access.error';
import { checkRole, checkSubject, checkUntil, scrubReason } from './habilitation.rules';

/** The code, field and message of what `call` throws. */
function refusal(call: () => unknown): {
  code: string;
  field: string | undefined;
  message: string;
} {
  try {
    call();
  } catch (error) {
    if (!(error instanceof AccessError)) throw error;
    return { code: error.code, field: error.field, message: error.message };
  }
  throw new Error('expected an AccessError');
}

describe('habilitation rules', () => {
  it('takes opaque token subjects', () => {
    for (const subject of [
      '3f2c1d9e-8b7a-4c6d-9e0f-1a2b3c4d5e6f',
      'auth0|5f7c8ec7c33c6c004bbafe82',
      'cli:root',
    ]) {
      expect(checkSubject(subject)).toBe(subject);
    }
  });

  it('refuses a subject that is empty, spaced, too long or personal data, naming the field', () => {
    expect(refusal(() => checkSubject(''))).toEqual({
      code: 'invalid_subject',
      field: 'subject',
      message:
        'subject: expected a token subject, 1 to 255 printable ASCII characters without spaces',
    });
    expect(refusal(() => checkSubject('Jean Dupont')).code).toBe('invalid_subject');
    expect(refusal(() => checkSubject('x'.repeat(256))).code).toBe('invalid_subject');
    expect(refusal(() => checkSubject('é')).code).toBe('invalid_subject');
    expect(refusal(() => checkSubject(42)).code).toBe('invalid_subject');
    expect(refusal(() => checkSubject('jean.dupont@example.org', 'grantedBy'))).toEqual({
      code: 'invalid_subject',
      field: 'grantedBy',
      message:
        "grantedBy: looks like personal data (EMAIL); give the token's opaque subject, never a name or an address",
    });
  });

  it('takes the three roles and refuses any other', () => {
    expect(['analyst', 'prefecture-viewer', 'admin'].map(checkRole)).toEqual([
      'analyst',
      'prefecture-viewer',
      'admin',
    ]);
    expect(refusal(() => checkRole('root'))).toEqual({
      code: 'invalid_role',
      field: 'role',
      message: 'role: "root" is not a role; expected one of analyst, prefecture-viewer, admin',
    });
  });

  it('scrubs a reason of personal data with the sanitizer’s scrubber, and trims it', () => {
    expect(
      scrubReason(
        '  Mission 13 pour M. Dupont, joignable : jean.dupont@example.org, 06 12 34 56 78  ',
      ),
    ).toBe('Mission 13 pour [NAME], joignable : [EMAIL], [PHONE]');
  });

  it('refuses an empty or overlong reason', () => {
    expect(refusal(() => scrubReason('   '))).toEqual({
      code: 'invalid_reason',
      field: 'reason',
      message: 'reason: required, say why (it is kept)',
    });
    expect(refusal(() => scrubReason(undefined)).code).toBe('invalid_reason');
    expect(refusal(() => scrubReason('é'.repeat(1001)))).toEqual({
      code: 'invalid_reason',
      field: 'reason',
      message: 'reason: longer than 1000 characters',
    });
    expect(scrubReason('é'.repeat(1000))).toHaveLength(1000);
  });

  it('takes no end or a valid date in the future', () => {
    const now = new Date('2026-05-01T10:00:00Z');
    expect(checkUntil(undefined, now)).toBeNull();
    expect(checkUntil(null, now)).toBeNull();
    expect(checkUntil(new Date('2026-05-02T00:00:00Z'), now)).toEqual(
      new Date('2026-05-02T00:00:00Z'),
    );
    expect(refusal(() => checkUntil(now, now))).toEqual({
      code: 'invalid_until',
      field: 'validUntil',
      message: 'validUntil: 2026-05-01T10:00:00.000Z is not in the future',
    });
    expect(refusal(() => checkUntil(new Date('nope'), now)).message).toBe(
      'validUntil: not a valid date',
    );
  });
});
