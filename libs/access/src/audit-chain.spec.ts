import {
  AUDIT_GENESIS_HASH,
  auditCanonicalText,
  auditFieldText,
  auditHash,
  auditInstantText,
  type AuditChainFields,
} from './audit-chain';

const ROW: AuditChainFields = {
  id: '42',
  atMicros: 1_777_629_600_123_456n, // 2026-05-01T10:00:00.123456Z
  principal: '3f2c1d9e-8b7a-4c6d-9e0f-1a2b3c4d5e6f',
  role: 'analyst',
  method: 'GET',
  route: '/collections/{collectionId}/items',
  params: '{"collectionId":"zones","bbox":"5.36,43.29,5.39,43.31","q":"Réformés"}',
  status: 200,
  rows: 17,
  durationMs: 35,
  prevHash: AUDIT_GENESIS_HASH,
};

describe('the canonical text of an audit row', () => {
  it('writes an instant in UTC with six fraction digits', () => {
    expect(auditInstantText(0n)).toBe('1970-01-01T00:00:00.000000Z');
    expect(auditInstantText(1_777_629_600_123_456n)).toBe('2026-05-01T10:00:00.123456Z');
    expect(auditInstantText(BigInt(Date.UTC(2026, 11, 31, 23, 59, 59, 7)) * 1000n)).toBe(
      '2026-12-31T23:59:59.007000Z',
    );
    expect(auditInstantText(-1n)).toBe('1969-12-31T23:59:59.999999Z');
  });

  it('joins the eleven fields in their order with U+001F', () => {
    expect(auditCanonicalText(ROW).split('\u001f')).toEqual([
      '42',
      '2026-05-01T10:00:00.123456Z',
      '3f2c1d9e-8b7a-4c6d-9e0f-1a2b3c4d5e6f',
      'analyst',
      'GET',
      '/collections/{collectionId}/items',
      '{"collectionId":"zones","bbox":"5.36,43.29,5.39,43.31","q":"Réformés"}',
      '200',
      '17',
      '35',
      '0000000000000000000000000000000000000000000000000000000000000000',
    ]);
  });

  it('hashes the UTF-8 of that text with SHA-256 (value computed outside Node)', () => {
    expect(auditHash(ROW)).toBe('c148b86379832b0ebee0286a90e1fb2f1e11ffcaa6894a8e0a9b681d6f086250');
  });

  it('changes the hash when any one field changes', () => {
    const changes: Partial<AuditChainFields>[] = [
      { id: '43' },
      { atMicros: ROW.atMicros + 1n },
      { principal: 'another' },
      { role: 'admin' },
      { method: 'HEAD' },
      { route: '/collections' },
      { params: '{}' },
      { status: 403 },
      { rows: 16 },
      { durationMs: 36 },
      { prevHash: 'f'.repeat(64) },
    ];
    const hashes = new Set(changes.map((change) => auditHash({ ...ROW, ...change })));
    expect(hashes.size).toBe(changes.length);
    expect(hashes.has(auditHash(ROW))).toBe(false);
  });

  it('cannot be made ambiguous by moving text from one field to the next', () => {
    const a = auditCanonicalText({ ...ROW, principal: 'ab', role: 'c' });
    const b = auditCanonicalText({ ...ROW, principal: 'a', role: 'bc' });
    expect(a).not.toBe(b);
  });

  it('escapes the separator and NUL in a text field, and nothing else', () => {
    expect(auditFieldText('a\u001fb\u0000c')).toBe('a\\u001fb\\u0000c');
    expect(auditFieldText('auth0|5f7c8e — é ✓ \t\n')).toBe('auth0|5f7c8e — é ✓ \t\n');
  });
});
