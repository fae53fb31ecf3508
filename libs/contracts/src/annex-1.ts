/**
 * The Annex 1 item each contract field carries (French / English), as docs/annex-1.md lists
 * them — the spec beside this file checks that the two agree. `cortege schema propose` names a
 * change to the contract by these items, for the data-protection officer.
 */
export const ANNEX_1_ITEMS: Readonly<Record<string, string>> = {
  'Submission.eventId': "identifiant de l'événement / event id",
  'Submission.revision': 'révision / revision',
  'Submission.action': 'action (création-modification ou annulation) / action (upsert or cancel)',
  'Submission.submittedAt': 'date de soumission / submitted at',
  'Submission.source': 'émetteur / source',
  'Submission.payload': "type d'événement / kind of event",
  'MovingDemonstration.subject': 'objet / subject',
  'MovingDemonstration.description': 'description, observations / description, observations',
  'MovingDemonstration.departureAddress': 'adresse de départ / departure address',
  'MovingDemonstration.waypointAddresses':
    'adresses des points de passage (ordonnées) / waypoint addresses (ordered)',
  'MovingDemonstration.arrivalAddress': "adresse d'arrivée / arrival address",
  'MovingDemonstration.startAt': 'date et heure de début / start date-time',
  'MovingDemonstration.endAt': 'date et heure de fin / end date-time',
  'MovingDemonstration.peopleExpected': 'nombre de personnes attendues / people expected',
  'MovingDemonstration.peopleDeclared': 'nombre de personnes déclarées / people declared',
  'MovingDemonstration.carsExpected': 'nombre de véhicules attendus / cars expected',
  'MovingDemonstration.carsDeclared': 'nombre de véhicules déclarés / cars declared',
  'MovingDemonstration.organiserStatus': "statut de l'organisateur / organiser status",
  'MovingDemonstration.route': 'tracé du parcours (ligne) / route trace (line)',
  'StaticDemonstration.subject': 'objet / subject',
  'StaticDemonstration.description': 'description / description',
  'StaticDemonstration.address': 'adresse / address',
  'StaticDemonstration.startAt': 'date et heure de début / start date-time',
  'StaticDemonstration.endAt': 'date et heure de fin / end date-time',
  'StaticDemonstration.peopleExpected': 'nombre de personnes attendues / people expected',
  'StaticDemonstration.peopleDeclared': 'nombre de personnes déclarées / people declared',
  'StaticDemonstration.carsExpected': 'nombre de véhicules attendus / cars expected',
  'StaticDemonstration.carsDeclared': 'nombre de véhicules déclarés / cars declared',
  'StaticDemonstration.organiserStatus': "statut de l'organisateur / organiser status",
  'StaticDemonstration.footprint': 'emprise (polygone) / footprint (polygon)',
  'ScheduledOperation.subject': 'objet / subject',
  'ScheduledOperation.description': 'description / description',
  'ScheduledOperation.addresses': 'adresses (liste) / addresses (list)',
  'ScheduledOperation.startAt': 'date et heure de début / start date-time',
  'ScheduledOperation.endAt': 'date et heure de fin / end date-time',
  'ScheduledOperation.theme':
    'thème (PSQ Transports, PSQ QRR, Sécurité Routière, CODAF, Marché aux Puces, MIN) / theme',
  'OfficialVisit.subject': 'objet / subject',
  'OfficialVisit.description': 'description / description',
  'OfficialVisit.addresses': 'adresses (liste) / addresses (list)',
  'OfficialVisit.startAt': 'date et heure de début / start date-time',
  'OfficialVisit.endAt': 'date et heure de fin / end date-time',
};

/** The Annex 1 item of field `record.field` (the record's short name), or undefined. */
export function annex1Item(record: string, field: string): string | undefined {
  return ANNEX_1_ITEMS[`${record}.${field}`];
}
