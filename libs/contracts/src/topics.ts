/** The pipeline's Kafka topics (README, "Architecture"). Keys: eventId, except presence (H3 region). */
export const TOPICS = {
  submissions: 'cortege.submissions.v1',
  events: 'cortege.events.v1',
  submissionsDlq: 'cortege.submissions.dlq.v1',
  presence: 'cortege.presence.v1',
} as const;
