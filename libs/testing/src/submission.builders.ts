import type {
  MovingDemonstration,
  OfficialVisit,
  ScheduledOperation,
  StaticDemonstration,
  Submission,
} from '@app/contracts';
import { sampleSubmissions } from './submission.samples';

/** The moving-demonstration sample (real Marseille march) with its event patched. */
export function sampleMoving(patch: Partial<MovingDemonstration> = {}): Submission {
  const s = sampleSubmissions().moving;
  const e = (s.payload as { 'cortege.MovingDemonstration': MovingDemonstration })[
    'cortege.MovingDemonstration'
  ];
  return { ...s, payload: { 'cortege.MovingDemonstration': { ...e, ...patch } } };
}

/** The static-demonstration sample (Place Félix Baret) with its event patched. */
export function sampleStatic(patch: Partial<StaticDemonstration> = {}): Submission {
  const s = sampleSubmissions().static;
  const e = (s.payload as { 'cortege.StaticDemonstration': StaticDemonstration })[
    'cortege.StaticDemonstration'
  ];
  return { ...s, payload: { 'cortege.StaticDemonstration': { ...e, ...patch } } };
}

/** The scheduled-operation sample (Gare Saint-Charles) with its event patched. */
export function sampleOperation(patch: Partial<ScheduledOperation> = {}): Submission {
  const s = sampleSubmissions().operation;
  const e = (s.payload as { 'cortege.ScheduledOperation': ScheduledOperation })[
    'cortege.ScheduledOperation'
  ];
  return { ...s, payload: { 'cortege.ScheduledOperation': { ...e, ...patch } } };
}

/** The official-visit sample (Hôtel de Ville) with its event patched. */
export function sampleVisit(patch: Partial<OfficialVisit> = {}): Submission {
  const s = sampleSubmissions().visit;
  const e = (s.payload as { 'cortege.OfficialVisit': OfficialVisit })['cortege.OfficialVisit'];
  return { ...s, payload: { 'cortege.OfficialVisit': { ...e, ...patch } } };
}
