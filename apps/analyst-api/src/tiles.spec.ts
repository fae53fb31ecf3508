import { resolutionForZoom } from './tiles';

describe('resolutionForZoom', () => {
  it('draws resolution 8 up to zoom 11, 9 up to 13, 10 beyond', () => {
    const scored = [10, 9, 8];
    expect([0, 11, 12, 13, 14, 22].map((z) => resolutionForZoom(z, scored))).toEqual([
      8, 8, 9, 9, 10, 10,
    ]);
  });

  it('takes the nearest scored resolution when the zoom’s is not scored', () => {
    expect(resolutionForZoom(15, [8, 9])).toBe(9);
    expect(resolutionForZoom(5, [10])).toBe(10);
  });
});
