import { Type, types } from 'avsc';
import { SUBMISSION_SCHEMA } from './generated/submission.schema.generated';

/**
 * The avsc type of the pinned Submission schema: what every stage writes and the reader schema
 * every stage decodes into. Timestamps stay numbers of UTC milliseconds; the payload union is
 * wrapped (`{ 'cortege.OfficialVisit': {...} }`), as in Avro's JSON encoding.
 */
export const submissionType = Type.forSchema(SUBMISSION_SCHEMA as never) as types.RecordType;
