import { generateKeyPairSync } from 'node:crypto';
import { CompactSign } from 'jose';
import { canonicalJson, checkSignature, REPORT_TYPE } from './destruction-report';

describe('the destruction report signature', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const report = {
    reportId: 'r-1',
    existed: { tables: [{ table: 'event', rows: 6 }] },
    b: 1,
    a: [{ z: 1, y: 2 }],
  };
  const sign = (payload: unknown, typ = REPORT_TYPE, key = privateKey) =>
    new CompactSign(new TextEncoder().encode(canonicalJson(payload)))
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k', typ })
      .sign(key);

  it('writes canonical JSON: keys sorted at every level, arrays in order', () => {
    expect(canonicalJson({ b: 1, a: [{ z: 1, y: 2 }] })).toBe('{"a":[{"y":2,"z":1}],"b":1}');
  });

  it('accepts the report it signed, whatever the order of its keys on disk', async () => {
    const jws = await sign(report);
    const { b, ...rest } = report;
    const reordered = JSON.parse(JSON.stringify({ b, ...rest })) as unknown;
    expect(await checkSignature(reordered, jws, publicKey)).toEqual({
      ok: true,
      reason: 'signature valid (key k)',
    });
  });

  it('refuses a report changed after signing, another key, and a JWS of another type', async () => {
    const jws = await sign(report);
    const lowered = { ...report, existed: { tables: [{ table: 'event', rows: 5 }] } };
    expect(await checkSignature(lowered, jws, publicKey)).toEqual({
      ok: false,
      reason: 'the report differs from what was signed',
    });
    const other = generateKeyPairSync('ed25519').publicKey;
    expect((await checkSignature(report, jws, other)).reason).toMatch(
      /^the signature does not verify/,
    );
    const [header, payload] = jws.split('.');
    expect((await checkSignature(report, `${header}.${payload}.AAAA`, publicKey)).ok).toBe(false);
    expect(await checkSignature(report, await sign(report, 'JWT'), publicKey)).toEqual({
      ok: false,
      reason: 'the JWS is not a destruction report (typ)',
    });
  });
});
