import { inlineSchema, type AvroJson } from './schema-inliner';

describe('inlineSchema', () => {
  const definitions = new Map<string, AvroJson>([
    [
      'x.Point',
      { type: 'record', name: 'Point', namespace: 'x', fields: [{ name: 'lon', type: 'double' }] },
    ],
    [
      'x.Trip',
      {
        type: 'record',
        name: 'Trip',
        namespace: 'x',
        fields: [
          { name: 'from', type: 'x.Point' },
          { name: 'to', type: 'x.Point' },
          { name: 'stops', type: { type: 'array', items: 'x.Point' } },
          { name: 'mode', type: ['null', 'x.Mode'], default: null },
        ],
      },
    ],
    ['x.Mode', { type: 'enum', name: 'Mode', namespace: 'x', symbols: ['WALK'] }],
  ]);

  it('defines each named type at its first use and refers to it by name afterwards', () => {
    expect(inlineSchema('x.Trip', definitions)).toEqual({
      type: 'record',
      name: 'Trip',
      namespace: 'x',
      fields: [
        {
          name: 'from',
          type: {
            type: 'record',
            name: 'Point',
            namespace: 'x',
            fields: [{ name: 'lon', type: 'double' }],
          },
        },
        { name: 'to', type: 'x.Point' },
        { name: 'stops', type: { type: 'array', items: 'x.Point' } },
        {
          name: 'mode',
          type: ['null', { type: 'enum', name: 'Mode', namespace: 'x', symbols: ['WALK'] }],
          default: null,
        },
      ],
    });
  });

  it('names the missing type', () => {
    expect(() => inlineSchema('x.Nope', definitions)).toThrow("unknown Avro type 'x.Nope'");
  });
});
