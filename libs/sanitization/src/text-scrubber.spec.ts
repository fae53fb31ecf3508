import type { PiiKind } from './pii-kind';
import { scrubText } from './text-scrubber';

/** `[input, expected output]`; the expected counts are read from the placeholders. */
type Case = readonly [string, string];

const countsOf = (text: string) => {
  const counts: Partial<Record<PiiKind, number>> = {};
  for (const [, kind] of text.matchAll(
    /\[(EMAIL|PHONE|PLATE|NIR|IBAN|NAME|HANDLE|URL|ADDRESS|BIRTH_DATE|AGE|ID_NUMBER)\]/g,
  )) {
    const k = kind as PiiKind;
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
};

const SCRUBBED: Record<PiiKind, readonly Case[]> = {
  EMAIL: [
    ['écrire à jean.dupont@gmail.com.', 'écrire à [EMAIL].'],
    ['JEAN.DUPONT@GMAIL.COM', '[EMAIL]'],
    ['contact : marie_13+manif@collectif-quartiers.org ;', 'contact : [EMAIL] ;'],
    ['jean.dupont (at) gmail.com', '[EMAIL]'],
    ['jean.dupont(at)gmail.com', '[EMAIL]'],
    ['jean.dupont [at] gmail.com', '[EMAIL]'],
    ['jean.dupont [at] gmail [dot] com', '[EMAIL]'],
    ['jean.dupont arobase orange.fr', '[EMAIL]'],
    ['jean.dupont arobase orange point fr', '[EMAIL]'],
    ['jdupont {at} free (point) fr', '[EMAIL]'],
    ['jean AT laposte.net', '[EMAIL]'],
    ['jean point martin arobase gmail point com', '[EMAIL]'],
    ['baptiste(point)roche(arobase)gmail(point)com', '[EMAIL]'],
    ['karim_b13 chez yahoo point fr', '[EMAIL]'],
    ['j.dupont @ sfr.fr', '[EMAIL]'],
    ['léa.fabre@univ-amu.fr', '[EMAIL]'],
    ['mailto:jean@x.fr', 'mailto:[EMAIL]'],
    ['a@b.fr et c (at) d.com', '[EMAIL] et [EMAIL]'],
  ],
  PHONE: [
    ['tél. 06 12 34 56 78.', 'tél. [PHONE].'],
    ['06.12.34.56.78', '[PHONE]'],
    ['0612345678', '[PHONE]'],
    ['06-12-34-56-78', '[PHONE]'],
    ['+33 6 12 34 56 78', '[PHONE]'],
    ['+33 (0)6 12 34 56 78', '[PHONE]'],
    ['+33612345678', '[PHONE]'],
    ['0033612345678', '[PHONE]'],
    ['0033 6 12 34 56 78', '[PHONE]'],
    ['standard 04 91 15 60 00 (Marseille)', 'standard [PHONE] (Marseille)'],
    ['07\u00A012\u00A034\u00A056\u00A078', '[PHONE]'],
    ['appeler le 09 70 12 34 56 ou le 04.95.09.50.00', 'appeler le [PHONE] ou le [PHONE]'],
    ['au zéro sept, quarante-cinq, douze, trente, quatre-vingt-neuf', 'au [PHONE]'],
    ['zéro six douze trente-quatre cinquante-six soixante-dix-huit', '[PHONE]'],
  ],
  PLATE: [
    ['camion AB-123-CD stationné', 'camion [PLATE] stationné'],
    ['AB 123 CD', '[PLATE]'],
    ['AB123CD', '[PLATE]'],
    ['ab-123-cd', '[PLATE]'],
    ['FX-908-ZZ, GH-001-KL', '[PLATE], [PLATE]'],
    ['1234 AB 13', '[PLATE]'],
    ['123 ABC 13', '[PLATE]'],
    ['1234AB13', '[PLATE]'],
    ['1234-AB-13', '[PLATE]'],
    ['456 KL 2A', '[PLATE]'],
    ['78 XYZ 2B', '[PLATE]'],
    ['1 AB 13', '[PLATE]'],
    ['999 ZZ 974', '[PLATE]'],
  ],
  NIR: [
    ['NIR 1 85 05 78 006 084 36.', 'NIR [NIR].'],
    ['185057800608436', '[NIR]'],
    ['2850578006084', '[NIR]'],
    ['2 85 05 78 006 084', '[NIR]'],
    ['1 69 12 2A 123 456 78', '[NIR]'],
    ['7 01 03 13 055 123 45', '[NIR]'],
    ['8 99 11 2B 001 002', '[NIR]'],
    ['1.85.05.78.006.084.36', '[NIR]'],
  ],
  IBAN: [
    ['IBAN FR76 3000 6000 0112 3456 7890 189.', 'IBAN [IBAN].'],
    ['FR7630006000011234567890189', '[IBAN]'],
    ['FR14 2004 1010 0505 0001 3M02 606', '[IBAN]'],
    ['GB29 NWBK 6016 1331 9268 19', '[IBAN]'],
    ['DE89370400440532013000', '[IBAN]'],
    ['BE68 5390 0754 7034', '[IBAN]'],
    ['NL91ABNA0417164300', '[IBAN]'],
    ['ES91 2100 0418 4502 0005 1332', '[IBAN]'],
    ['MC58 1122 2000 0101 2345 6789 030', '[IBAN]'],
  ],
  NAME: [
    ['M. DUPONT a déposé', '[NAME] a déposé'],
    ['M. Dupont', '[NAME]'],
    ['M Dupont', '[NAME]'],
    ['M.Dupont', '[NAME]'],
    ['Mme Marie-Claire de La Tour, présidente', '[NAME], présidente'],
    ['Mlle Léa Martin', '[NAME]'],
    ['Monsieur Jean-Pierre Martin', '[NAME]'],
    ['monsieur Martin', '[NAME]'],
    ['MADAME FABRE', '[NAME]'],
    ['Madame Fatima Benali', '[NAME]'],
    ['Mademoiselle Chloé GIRAUD', '[NAME]'],
    ['Dr Karim Haddad', '[NAME]'],
    ['Dr. Haddad', '[NAME]'],
    ['le docteur Moreau', 'le [NAME]'],
    ['Me Dubois, avocat', '[NAME], avocat'],
    ['Maître Nguyen', '[NAME]'],
    ['Pr Lefèvre', '[NAME]'],
    ["M. d'Artagnan", '[NAME]'],
    ['M. Le Goff', '[NAME]'],
    ['Mme du Plessis', '[NAME]'],
    ['M. Jean de Villeneuve du Bourg', '[NAME]'],
    ["M. O'Neil", '[NAME]'],
    ['Mme D. pour le collectif', '[NAME]. pour le collectif'],
    ['M. et Mme Martin', 'M. et [NAME]'],
    ['M. le Préfet Dupont', 'M. le Préfet [NAME]'],
    ['Monsieur le Maire Benoît Payan', 'Monsieur le Maire [NAME]'],
    ['M. Martin Place Castellane', '[NAME] Place Castellane'],
    ['M. Martin, Mme Durand et Dr Rossi', '[NAME], [NAME] et [NAME]'],
    ['hommage au Dr Lemaire, médecin', 'hommage au [NAME], médecin'],
    // without a civility: a given name of the lexicon, and what stands next to it
    ['Jean Dupont organise', '[NAME] organise'],
    ['contact : Mehdi, le matin', 'contact : [NAME], le matin'],
    ['Le responsable sono, Karim, sera au camion.', 'Le responsable sono, [NAME], sera au camion.'],
    ['marche pour Inès, disparue', 'marche pour [NAME], disparue'],
    ['organisé par Marie-Claire Lefèvre-Dubois', 'organisé par [NAME]'],
    ['Yasmina El Amrani et Noé prendront la parole', '[NAME] et [NAME] prendront la parole'],
    ['CONTROLE : MARTINEZ ALEXIS, LAISSE LIBRE', 'CONTROLE : [NAME], LAISSE LIBRE'],
    ['proprietaire MOREL Anthony, vu sur place', 'proprietaire [NAME], vu sur place'],
    ['Signataires : A. Bensaïd, M.-A. Roux.', 'Signataires : [NAME], [NAME].'],
    ['le stand de Tata Zohra et de DJ Momo', 'le stand de [NAME] et de [NAME]'],
    ['la famille Zerrouki attend', 'la famille [NAME] attend'],
    ['contacter fatima avant 10h', 'contacter [NAME] avant 10h'],
    ['Kiki et Jojo tiendront la buvette', '[NAME] et [NAME] tiendront la buvette'],
    ['Hommage à KEVORKIAN Araxie, avenue du Prado', 'Hommage à [NAME], avenue du Prado'],
    ['INTERPELLATION – NDIAYE Cheikh 27 ANS – GAV', 'INTERPELLATION – [NAME] [AGE] – GAV'],
    ['menés par Marius Rinaldi dit le Marquis, au quai', 'menés par [NAME] dit [NAME], au quai'],
    ['Soutien à N.K., lycéenne', 'Soutien à [NAME], lycéenne'],
    ['soutien a yacine et bilal interpellés', 'soutien a [NAME] et [NAME] interpellés'],
    ['Contact à bord : le capitaine Ivanov', 'Contact à bord : le capitaine [NAME]'],
    ['Rassemblement pour Maria do Céu Ferreira', 'Rassemblement pour [NAME]'],
    [
      'COORDINATEUR SUR PLACE SAID SOILIHI Ibrahim, JOIGNABLE',
      'COORDINATEUR SUR PLACE [NAME], JOIGNABLE',
    ],
    ['merci à Sylvain pour les photos', 'merci à [NAME] pour les photos'],
    ['Marche blanche Lyna – Saint-Louis', 'Marche blanche [NAME] – Saint-Louis'],
  ],
  ADDRESS: [
    [
      "l'organisateur habite au 27 rue des Bons Enfants (13006), il viendra",
      "l'organisateur habite au [ADDRESS], il viendra",
    ],
    ['demeurant 8 traverse des Pins, 13012 Marseille.', 'demeurant [ADDRESS].'],
    ['DOMICILIE 9 RUE CRUDERE 13006', 'DOMICILIE [ADDRESS]'],
    ['M. Cohen, 40 rue Jean de Bernardy.', '[NAME], [ADDRESS].'],
    ['chez sa tante, résidence Bellevue, bât. B, 13003.', 'chez sa tante, [ADDRESS].'],
    [
      'chez Gigi, bâtiment C, résidence Les Tilleuls, 13014, départ',
      'chez [NAME], [ADDRESS], départ',
    ],
    ['c/o Agnès Morel, Bât. A2, résidence Le Merlan, 13014 Marseille', 'c/o [NAME], [ADDRESS]'],
    ['Domicile déclarant : 105 bd de la Blancarde, 13004', 'Domicile déclarant : [ADDRESS]'],
    ['ils habitent 6 impasse Ruffi, 13003 depuis 2011', 'ils habitent [ADDRESS] depuis 2011'],
    ['Mme Lopez, Les Hauts de Sainte-Marthe, bât. D, 13014 Marseille.', '[NAME], [ADDRESS].'],
    [
      'adresse perso pour le courrier : Bastide des Pins, chemin de la Parette, 13012 Marseille',
      'adresse perso pour le courrier : [ADDRESS]',
    ],
  ],
  BIRTH_DATE: [
    ['né le 22/11/1975 à Oran', 'né le [BIRTH_DATE] à Oran'],
    ['NEE LE 02/02/2002', 'NEE LE [BIRTH_DATE]'],
    ['née le 3 mars 1990', 'née le [BIRTH_DATE]'],
    ['né en 1987', 'né en [BIRTH_DATE]'],
    ['né le 1988-10-05', 'né le [BIRTH_DATE]'],
    ['né en décembre 1964', 'né en [BIRTH_DATE]'],
    ['date de naissance : 17.06.2004', 'date de naissance : [BIRTH_DATE]'],
  ],
  AGE: [
    ['M. Chaouch (82 ans) lira le texte', '[NAME] ([AGE]) lira le texte'],
    ['Paul Giordano, 34 ans, déclarant', '[NAME], [AGE], déclarant'],
    [
      'ouvert par Papé Jo, doyen des dockers, 91 ans.',
      'ouvert par [NAME], doyen des dockers, [AGE].',
    ],
    ['un homme âgé de 45 ans', 'un homme âgé de [AGE]'],
  ],
  ID_NUMBER: [
    ['passeport n° 18FK52047', 'passeport n° [ID_NUMBER]'],
    ['CNI 080713201456, laissé libre', 'CNI [ID_NUMBER], laissé libre'],
    ["carte d'identité n° XK7RTP2M9 vérifiée", "carte d'identité n° [ID_NUMBER] vérifiée"],
    ['passeport algérien n° 201845773', 'passeport algérien n° [ID_NUMBER]'],
    ['titre de séjour : 9912345678', 'titre de séjour : [ID_NUMBER]'],
    ['carte de résident n° 9912345678', 'carte de résident n° [ID_NUMBER]'],
    [
      'CNI retrouvée dans la rue : X4RTBPFW4, remise',
      'CNI retrouvée dans la rue : [ID_NUMBER], remise',
    ],
    ['IDFRADUPONT<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<', '[ID_NUMBER]'],
  ],
  HANDLE: [
    ['suivez @jdupont sur X', 'suivez [HANDLE] sur X'],
    ['@marie_13.', '[HANDLE].'],
    ['(@collectif.marseille)', '([HANDLE])'],
    ['@_jeandupont, @k', '[HANDLE], [HANDLE]'],
    ['voir son compte insta titi_ultra', 'voir son compte insta [HANDLE]'],
    ['sur Snap : mamanzoubida.', 'sur Snap : [HANDLE].'],
    ['relayé par @blackbloc_mrs et @ultra.sud.1312', 'relayé par [HANDLE] et [HANDLE]'],
  ],
  URL: [
    ['voir https://x.fr/p?id=123.', 'voir [URL].'],
    ['https://www.facebook.com/profile.php?id=100012345678901', '[URL]'],
    ['http://exemple.org/page#contact', '[URL]'],
    ['www.exemple.fr/inscription?nom=dupont&tel=0612345678', '[URL]'],
    ['(https://docs.google.com/document/d/1abc/edit?usp=sharing)', '([URL])'],
    ['https://x.fr/p?mail=jean@x.fr', '[URL]'],
    ['facebook.com/kevin.abramovici.9', '[URL]'],
    ['live : https://www.twitch.tv/lucas_live.', 'live : [URL].'],
    ['le blog https://solene.over-blog.com', 'le blog [URL]'],
  ],
};

/** Texts Cortège legitimately holds: nothing in them is personal, nothing may change. */
const UNCHANGED: readonly string[] = [
  // postcodes, arrondissements, street numbers
  'Quai du Port, 13002 Marseille',
  'Départ 13001, arrivée dans le 13e arrondissement',
  '12 bis rue de Rome, 13006 Marseille',
  '3 ter boulevard National',
  'Bâtiment 3 A, 2e étage',
  'CS 70001 13282 Marseille Cedex 20',
  // dates, times
  'le 14/07/2026 à 10h30',
  'du 2026-05-01 au 2026-05-02, 08:30-11:00',
  'de 10 H 30 à 12 H',
  '1er mai 2026, 14 juillet',
  // counts
  '3 000 personnes attendues, 4000 manifestants',
  '2 000 000 de personnes, 1 500 000 déclarées',
  '300 véhicules, 12 cars, 2 camions sono',
  'Vélodrome : 67 000 places',
  // themes
  'PSQ QRR',
  'PSQ Transports et Sécurité Routière',
  'CODAF',
  'MIN des Arnavaux',
  'Opération 2 MIN 13',
  // places
  'Place Félix Baret',
  'Gare Saint-Charles',
  'Rond-point du Prado',
  'Cours Julien',
  'Boulevard de la Libération',
  "Porte d'Aix, Vieux-Port, La Canebière",
  'Hôtel de Ville, Quai du Port',
  'Rue du Docteur Escat, 13006 Marseille',
  'Avenue du Docteur Heckel',
  'Place du Docteur Schweitzer',
  // people's names in the names of streets, schools and places (the locator needs them)
  'Rassemblement place Jean Jaurès puis boulevard Baille',
  'Départ rue Paradis, arrivée avenue du Maréchal Foch',
  'Les lycéens de Victor Hugo et de Saint-Exupéry',
  'Collège Jean-Claude Izzo, statue de Victor Gélu',
  'Place du Général de Gaulle, corniche Président John F. Kennedy',
  'Marche du cercle Frédéric Mistral',
  'cars de Toulon et Nice',
  'Saint-Louis, Saint-Antoine, Sainte-Marthe',
  'Sortie du lycée Thiers vers la rue Sainte',
  '12 boulevard Baille (permanence syndicale)',
  'à l’appel de la CGT, FO, Solidaires et Attac',
  'Pierre de taille et pavés descellés rue de la République',
  'La Fête de la Musique, Noël',
  // titles, not names
  'M. le Préfet',
  'Monsieur le Maire',
  'Madame la Ministre',
  'Mme la Préfète de région',
  'M. le Préfet de Police des Bouches-du-Rhône',
  'Monsieur le Premier Ministre',
  'M. Le Maire',
  'Mesdames et Messieurs les élus',
  'M. le…',
  // roads and lines
  'A7 puis A55, RN 568, sortie 5',
  'métro M1, tram T2, bus 83',
  // numbers that are no phone, NIR or IBAN
  'SIRET 123 456 789 00012',
  '12345678901234567890',
  // the web, without queries
  'https://www.marseille.fr/agenda',
  'site www.bouches-du-rhone.gouv.fr.',
  'RDV @ 10h devant la gare',
  '@10h',
  // capitals that are no plate or IBAN
  'CGT FO SUD FSU',
  'FR3 et TF1',
  // placeholders are never taken for personal data
  '[EMAIL] [PHONE] [PLATE] [NIR] [IBAN] [NAME] [HANDLE] [URL]',
];

describe('scrubText', () => {
  for (const kind of Object.keys(SCRUBBED) as PiiKind[]) {
    describe(`${kind}`, () => {
      it.each(SCRUBBED[kind])('scrubs %j', (input, expected) => {
        const result = scrubText(input);
        expect(result.text).toBe(expected);
        expect(result.counts).toEqual(countsOf(expected));
        expect(result.counts[kind]).toBeGreaterThanOrEqual(1);
      });
    });
  }

  it.each(UNCHANGED)('leaves %j as it is', (text) => {
    expect(scrubText(text)).toEqual({ text, counts: {} });
  });

  it('scrubs every kind in one text and counts each', () => {
    const text =
      'Mme Marie-Claire de La Tour (06 12 34 56 78, mc.delatour (at) free.fr, @mcdlt) ' +
      'garera AB-123-CD et 1234 AB 13 ; NIR 2 85 05 78 006 084 36, IBAN FR76 3000 6000 0112 3456 7890 189 ; ' +
      'inscriptions sur https://x.fr/p?id=123, départ Place Félix Baret, 13006 Marseille, le 14/07/2026 à 10h30.';
    expect(scrubText(text)).toEqual({
      text:
        '[NAME] ([PHONE], [EMAIL], [HANDLE]) garera [PLATE] et [PLATE] ; NIR [NIR], IBAN [IBAN] ; ' +
        'inscriptions sur [URL], départ Place Félix Baret, 13006 Marseille, le 14/07/2026 à 10h30.',
      counts: { NAME: 1, PHONE: 1, EMAIL: 1, HANDLE: 1, PLATE: 2, NIR: 1, IBAN: 1, URL: 1 },
    });
  });

  // Known limits, pinned so a change in them is seen (see README, "Known limits").
  it.each([
    ['a 13-digit number reads as a NIR', 'horodatage 1777622400000', 'horodatage [NIR]'],
    [
      'a nickname in lower case stays',
      'titi du collectif prévoit des fumis',
      'titi du collectif prévoit des fumis',
    ],
    ['a surname alone without a cue stays', "l'expulsion des Oukili", "l'expulsion des Oukili"],
    ['a capitalised word after a name goes with it', 'M. Martin Bernard Saint', '[NAME]'],
    ['a surname that is a stop word is missed', 'M. Marseille', 'M. Marseille'],
    ['an ordinary word that is a given name, alone, stays', 'Rose viendra', 'Rose viendra'],
    [
      'an address with its number after a name goes, even the event’s own',
      'Karim, 12 boulevard Baille (permanence)',
      '[NAME], [ADDRESS] (permanence)',
    ],
    ['a title with a capital article hides a surname', 'M. Le Maire', 'M. Le Maire'],
    [
      'a URL path without query on a site of no social network stays',
      'https://jean-dupont.fr/contact',
      'https://jean-dupont.fr/contact',
    ],
  ])('known limit: %s', (_why, input, expected) => {
    expect(scrubText(input).text).toBe(expected);
  });

  it('is idempotent: a scrubbed text scrubs to itself with no counts', () => {
    for (const [input] of Object.values(SCRUBBED).flat()) {
      const once = scrubText(input).text;
      expect(scrubText(once)).toEqual({ text: once, counts: {} });
    }
  });

  it('scrubs the longest description allowed in a few milliseconds', () => {
    scrubText('Karim'); // loads the word list once
    const text = 'Marche des 3 000 personnes, Place Félix Baret, contact M. Dupont 06 12 34 56 78. '
      .repeat(70)
      .slice(0, 5000);
    const started = performance.now();
    const result = scrubText(text);
    expect(performance.now() - started).toBeLessThan(200);
    expect(result.text).not.toMatch(/Dupont|06 12/);
    expect(result.counts.PHONE).toBeGreaterThanOrEqual(60);
  });
});
