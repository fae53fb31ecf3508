import {
  coreName,
  foldText,
  geocodeCacheKey,
  normalizeAddress,
  normalizeName,
  streetTypeOf,
} from './address.normalizer';

describe('foldText', () => {
  it.each([
    ['Boulevard d’Athènes', 'boulevard d athenes'],
    ["Porte d'Aix", 'porte d aix'],
    ['Basilique du Sacré-Cœur', 'basilique du sacre coeur'],
    ['  LA CANEBIÈRE !! ', 'la canebiere'],
    ['Notre-Dame de la Garde', 'notre dame de la garde'],
    ['Place Félix-Baret (Préfecture)', 'place felix baret prefecture'],
    ['Château d’If', 'chateau d if'],
    ['Rue Sénac-de-Meilhan', 'rue senac de meilhan'],
    [
      'Église Saint-Vincent-de-Paul dite "Les Réformés"',
      'eglise saint vincent de paul dite les reformes',
    ],
    ['Allées\u00A0Léon-Gambetta', 'allees leon gambetta'],
  ])('%s → %s', (input, expected) => {
    expect(foldText(input)).toBe(expected);
  });
});

describe('normalizeName', () => {
  it.each([
    ['Bd Longchamp', 'boulevard longchamp'],
    ['BLD National', 'boulevard national'],
    ['Boul. de la Libération', 'boulevard de la liberation'],
    ['Blvd Baille', 'boulevard baille'],
    ['Av. du Prado', 'avenue du prado'],
    ['Ave de la Timone', 'avenue de la timone'],
    ['R. de Rome', 'rue de rome'],
    ['Pl. Castellane', 'place castellane'],
    ['Crs Belsunce', 'cours belsunce'],
    ['Qu. du Port', 'quai du port'],
    ['Qai des Belges', 'quai des belges'],
    ['Imp. des Fleurs', 'impasse des fleurs'],
    ['Ch. des Goudes', 'chemin des goudes'],
    ['Rte des Camoins', 'route des camoins'],
    ['All. Léon Gambetta', 'allee leon gambetta'],
    ['Sq. Stalingrad', 'square stalingrad'],
    ['St-Ferréol', 'saint ferreol'],
    ['Ste Marguerite', 'sainte marguerite'],
    ['Fbg Saint-Antoine', 'faubourg saint antoine'],
    ['Rdpt du Prado', 'rond point du prado'],
    ['Rd-Pt du Prado', 'rond point du prado'],
    ['Rond-Point du Prado', 'rond point du prado'],
    ['Trav. de la Gouffonne', 'traverse de la gouffonne'],
    ['Mte des Oblats', 'montee des oblats'],
    ['Esp. Saint-Charles', 'esplanade saint charles'],
    ['Prom. Georges Pompidou', 'promenade georges pompidou'],
    ['R. du Dr Escat', 'rue du docteur escat'],
    ['Pl. du Gal de Gaulle', 'place du general de gaulle'],
    ['Bd du Mal Juin', 'boulevard du marechal juin'],
    ['Av. du Pdt J.F. Kennedy', 'avenue du president j f kennedy'],
    ['N.-D. de la Garde', 'notre dame de la garde'],
    ['ND de la Garde', 'notre dame de la garde'],
    ['Rue du 141ème RIA', 'rue du 141e ria'],
    ['Place du 1er Mai', 'place du 1e mai'],
    ['Bd de la 2ème DB', 'boulevard de la 2e db'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeName(input)).toBe(expected);
  });

  it('leaves ordinary short words alone', () => {
    expect(normalizeName('Pas de la Grave')).toBe('pas de la grave');
    expect(normalizeName('Cap Pinède')).toBe('cap pinede');
  });
});

describe('streetTypeOf and coreName', () => {
  it.each([
    ['rue de la republique', 'rue', 'republique'],
    ['boulevard de la liberation', 'boulevard', 'liberation'],
    ['rond point du prado', 'rond point', 'prado'],
    ['la canebiere', undefined, 'canebiere'],
    ['quai du port', 'quai', 'port'],
    ['rue d aix', 'rue', 'aix'],
    ['allees leon gambetta', 'allees', 'leon gambetta'],
    ['place de la', 'place', 'place de la'],
  ])('%s: type %s, core %s', (name, type, core) => {
    expect(streetTypeOf(name)).toBe(type);
    expect(coreName(name)).toBe(core);
  });
});

describe('normalizeAddress', () => {
  it.each([
    // [input, houseNumber, rep, street, places, postcode, key]
    ['2 r de rome 13001', 2, undefined, 'rue de rome', [], '13001', '2 rue de rome 13001'],
    [
      '2, Rue de Rome, 13001 Marseille',
      2,
      undefined,
      'rue de rome',
      [],
      '13001',
      '2 rue de rome 13001',
    ],
    ['12 quai du port', 12, undefined, 'quai du port', [], undefined, '12 quai du port'],
    [
      '12 Quai du Port, 13002 Marseille, France',
      12,
      undefined,
      'quai du port',
      [],
      '13002',
      '12 quai du port 13002',
    ],
    [
      'bd longchamp',
      undefined,
      undefined,
      'boulevard longchamp',
      [],
      undefined,
      'boulevard longchamp',
    ],
    ['Canebiere', undefined, undefined, undefined, ['canebiere'], undefined, 'canebiere'],
    [
      'La Canebière, Marseille 1er',
      undefined,
      undefined,
      undefined,
      ['la canebiere'],
      '13001',
      'la canebiere 13001',
    ],
    ['pl castellane', undefined, undefined, 'place castellane', [], undefined, 'place castellane'],
    [
      'Place Castellane 13006 Marseille',
      undefined,
      undefined,
      'place castellane',
      [],
      '13006',
      'place castellane 13006',
    ],
    [
      '12 bis bd Longchamp 1er arrondissement',
      12,
      'bis',
      'boulevard longchamp',
      [],
      '13001',
      '12 bis boulevard longchamp 13001',
    ],
    [
      '12bis, boulevard Longchamp',
      12,
      'bis',
      'boulevard longchamp',
      [],
      undefined,
      '12 bis boulevard longchamp',
    ],
    [
      '7 ter av. du Prado 13008',
      7,
      'ter',
      'avenue du prado',
      [],
      '13008',
      '7 ter avenue du prado 13008',
    ],
    ['58b cours Belsunce', 58, 'b', 'cours belsunce', [], undefined, '58 b cours belsunce'],
    ['n° 58 crs Belsunce', 58, undefined, 'cours belsunce', [], undefined, '58 cours belsunce'],
    [
      '12-14 rue Saint-Ferréol',
      12,
      undefined,
      'rue saint ferreol',
      [],
      undefined,
      '12 rue saint ferreol',
    ],
    ['rue Paradis, 40', 40, undefined, 'rue paradis', [], undefined, '40 rue paradis'],
    [
      'Rue de la République 13002 MARSEILLE CEDEX 02',
      undefined,
      undefined,
      'rue de la republique',
      [],
      '13002',
      'rue de la republique 13002',
    ],
    [
      'Boulevard d’Athènes, 13001 Marseille',
      undefined,
      undefined,
      'boulevard d athenes',
      [],
      '13001',
      'boulevard d athenes 13001',
    ],
    [
      'Hôtel de Ville, Quai du Port, 13002 Marseille',
      undefined,
      undefined,
      'quai du port',
      ['hotel de ville'],
      '13002',
      'hotel de ville quai du port 13002',
    ],
    [
      'Hotel de ville quai du port',
      undefined,
      undefined,
      'quai du port',
      ['hotel de ville'],
      undefined,
      'hotel de ville quai du port',
    ],
    [
      'Gare Saint-Charles, 13001 Marseille',
      undefined,
      undefined,
      undefined,
      ['gare saint charles'],
      '13001',
      'gare saint charles 13001',
    ],
    [
      'Gare de Marseille Saint-Charles',
      undefined,
      undefined,
      undefined,
      ['gare de marseille saint charles'],
      undefined,
      'gare de marseille saint charles',
    ],
    ['Prefecture', undefined, undefined, undefined, ['prefecture'], undefined, 'prefecture'],
    ['vieux port', undefined, undefined, undefined, ['vieux port'], undefined, 'vieux port'],
    [
      'Vieux-Port, 13e arrondissement',
      undefined,
      undefined,
      undefined,
      ['vieux port'],
      '13013',
      'vieux port 13013',
    ],
    ['porte d aix', undefined, undefined, undefined, ['porte d aix'], undefined, 'porte d aix'],
    [
      "Porte d'Aix 13003",
      undefined,
      undefined,
      undefined,
      ['porte d aix'],
      '13003',
      'porte d aix 13003',
    ],
    [
      'Rd-Pt du Prado, Marseille 8e',
      undefined,
      undefined,
      'rond point du prado',
      [],
      '13008',
      'rond point du prado 13008',
    ],
    [
      'rdpt du prado',
      undefined,
      undefined,
      'rond point du prado',
      [],
      undefined,
      'rond point du prado',
    ],
    [
      'Les Arnavaux (13014)',
      undefined,
      undefined,
      undefined,
      ['les arnavaux'],
      '13014',
      'les arnavaux 13014',
    ],
    [
      'MIN des Arnavaux, 13e',
      undefined,
      undefined,
      undefined,
      ['min des arnavaux'],
      '13013',
      'min des arnavaux 13013',
    ],
    [
      'Cours Julien 6ème arrondissement',
      undefined,
      undefined,
      'cours julien',
      [],
      '13006',
      'cours julien 13006',
    ],
    [
      'marché du cours Julien',
      undefined,
      undefined,
      undefined,
      ['marche du cours julien'],
      undefined,
      'marche du cours julien',
    ],
    [
      'Rue du 141e RIA, 13003',
      undefined,
      undefined,
      'rue du 141e ria',
      [],
      '13003',
      'rue du 141e ria 13003',
    ],
    ['Place du 1er Mai', undefined, undefined, 'place du 1e mai', [], undefined, 'place du 1e mai'],
    [
      'Bd de la Libération - Général de Monsabert',
      undefined,
      undefined,
      'boulevard de la liberation',
      ['general de monsabert'],
      undefined,
      'boulevard de la liberation general de monsabert',
    ],
    ['13201', undefined, undefined, undefined, [], '13001', ''],
    ['Marseille', undefined, undefined, undefined, [], undefined, ''],
    ['   ', undefined, undefined, undefined, [], undefined, ''],
  ])('%s', (input, houseNumber, rep, street, places, postcode, key) => {
    const n = normalizeAddress(input);
    expect({
      houseNumber: n.houseNumber,
      rep: n.rep,
      street: n.street,
      places: n.places,
      postcode: n.postcode,
      key: n.key,
    }).toEqual({ houseNumber, rep, street, places, postcode, key });
  });

  it('gives one cache key to the many ways of writing one address', () => {
    const keys = new Set(
      [
        '2 r de rome 13001',
        '2, Rue de Rome, 13001 Marseille',
        '2 RUE DE ROME 13001 MARSEILLE',
        '2 rue de Rome, Marseille 1er',
        '2 rue de Rome (1er arrondissement)',
        'n°2 r. de Rome - 13001',
      ].map(geocodeCacheKey),
    );
    expect([...keys]).toEqual(['2 rue de rome 13001']);
  });

  it('keeps the number apart from the street when the street starts with an ordinal', () => {
    const n = normalizeAddress('3 rue du 141e RIA');
    expect([n.houseNumber, n.street]).toEqual([3, 'rue du 141e ria']);
  });

  it('reads the arrondissement from an INSEE code and gives its postcode', () => {
    expect(normalizeAddress('Quai du Port 13202')).toMatchObject({
      postcode: '13002',
      inseeCode: '13202',
      street: 'quai du port',
    });
  });

  it('keeps a postcode outside Marseille without inventing an INSEE code', () => {
    expect(normalizeAddress('10 rue de Rivoli 75001 Paris')).toMatchObject({
      postcode: '75001',
      inseeCode: undefined,
      houseNumber: 10,
      street: 'rue de rivoli paris',
    });
  });

  it('reads `à` before an article as the preposition, not the repetition index `a`', () => {
    expect(normalizeAddress('3 à la Canebière')).toMatchObject({
      houseNumber: 3,
      rep: undefined,
      places: ['a la canebiere'],
    });
    expect(normalizeAddress('3 a rue Paradis')).toMatchObject({
      houseNumber: 3,
      rep: 'a',
      street: 'rue paradis',
    });
  });
});
