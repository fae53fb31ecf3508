import {
  CANARY_KINDS,
  CANARY_SENTENCES,
  generatePiiCanaries,
  plantPiiCanaries,
} from '@app/testing';
import { scrubText } from './text-scrubber';

const CANARIES = generatePiiCanaries(400, 20260501);

describe('PII canaries', () => {
  it('are at least 200, distinct, of every kind, in many forms', () => {
    expect(CANARIES).toHaveLength(400);
    expect(new Set(CANARIES.map((c) => c.value)).size).toBe(400);
    for (const kind of CANARY_KINDS) {
      const values = CANARIES.filter((c) => c.kind === kind).map((c) => c.value);
      expect(values.length).toBeGreaterThanOrEqual(50);
    }
    const values = (kind: string) => CANARIES.filter((c) => c.kind === kind).map((c) => c.value);
    // a few forms that must be present, so the corpus stays varied
    expect(values('EMAIL').some((v) => / \(at\) | arobase |\[at\]/.test(v))).toBe(true);
    expect(values('PHONE').some((v) => v.startsWith('+33 (0)'))).toBe(true);
    expect(values('PHONE').some((v) => v.startsWith('0033'))).toBe(true);
    expect(values('PLATE').some((v) => /^[A-Z]{2}-\d{3}-[A-Z]{2}$/.test(v))).toBe(true);
    expect(values('PLATE').some((v) => /^\d{1,4} [A-Z]{2,3} \d{2,3}$/.test(v))).toBe(true);
    expect(values('NIR').some((v) => v.includes(' '))).toBe(true);
    expect(values('IBAN').some((v) => v.startsWith('FR'))).toBe(true);
    expect(values('IBAN').some((v) => !v.startsWith('FR') && !v.startsWith('MC'))).toBe(true);
    expect(values('NAME').some((v) => / (de|du|d'|Le) /.test(v) || v.includes(" d'"))).toBe(true);
  });

  it('are deterministic per seed and differ between seeds', () => {
    expect(generatePiiCanaries(50, 7)).toEqual(generatePiiCanaries(50, 7));
    expect(generatePiiCanaries(50, 7)).not.toEqual(generatePiiCanaries(50, 8));
  });

  it('carry valid IBAN check digits and NIR keys, so they are realistic', () => {
    const mod97 = (digits: string) => BigInt(digits) % 97n;
    for (const { value } of CANARIES.filter((c) => c.kind === 'IBAN')) {
      const compact = value.replace(/ /g, '');
      const moved = `${compact.slice(4)}${compact.slice(0, 4)}`.replace(/[A-Z]/g, (c) =>
        String(c.charCodeAt(0) - 55),
      );
      expect(mod97(moved)).toBe(1n);
    }
    for (const { value } of CANARIES.filter((c) => c.kind === 'NIR')) {
      const compact = value.replace(/ /g, '').replace('2A', '19').replace('2B', '18');
      if (compact.length === 15)
        expect(97n - mod97(compact.slice(0, 13))).toBe(BigInt(compact.slice(13)));
    }
  });

  it('are all removed from realistic French sentences, and nothing else is', () => {
    const planted = plantPiiCanaries(CANARIES);
    expect(planted).toHaveLength(400 * CANARY_SENTENCES.length);
    const leaks: string[] = [];
    for (const { canary, text, expected } of planted) {
      const result = scrubText(text);
      if (result.text.includes(canary.value) || result.text !== expected)
        leaks.push(`${canary.kind} ${JSON.stringify(canary.value)} → ${result.text}`);
      else expect(result.counts).toEqual({ [canary.kind]: 1 });
    }
    expect(leaks).toEqual([]);
  });

  it('leave the sentences themselves untouched', () => {
    for (const sentence of CANARY_SENTENCES) {
      const text = sentence.replace('{}', 'le collectif');
      expect(scrubText(text)).toEqual({ text, counts: {} });
    }
  });
});
