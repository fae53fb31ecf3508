import { Controller, Get, Inject, Param, Req } from '@nestjs/common';
import { IncomingMessage } from 'node:http';
import type { SubmissionStatusView } from '@app/submission-status';
import { IngestError, IngestErrorCode } from './ingest.error';
import { verifiedProducer } from './producer-auth.guard';
import { PRODUCER_BINDINGS, type ProducerBindings } from './producer-bindings';
import { SubmissionStatusService } from './submission-status.service';
import { producerOf } from './token.verifier';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `GET /v1/submissions/{eventId}`: the event's newest revision and every revision known. */
export interface EventStatus {
  readonly eventId: string;
  readonly latest: SubmissionStatusView;
  readonly revisions: readonly SubmissionStatusView[];
}

/**
 * The status of a producer's own submissions, from `submission_status`. An event another
 * producer created is a 403 (`event_of_another_producer`), as a revision of it would be; one
 * this producer never sent through the API, or not known yet, is a 404.
 */
@Controller('v1/submissions')
export class SubmissionStatusController {
  constructor(
    @Inject(SubmissionStatusService) private readonly statuses: SubmissionStatusService,
    @Inject(PRODUCER_BINDINGS) private readonly bindings: ProducerBindings,
  ) {}

  @Get(':eventId')
  async event(
    @Req() request: IncomingMessage,
    @Param('eventId') eventIdParam: string,
  ): Promise<EventStatus> {
    const eventId = await this.ownEvent(request, eventIdParam);
    const revisions = await this.statuses.statusOf(eventId);
    const [latest] = revisions;
    if (latest === undefined) throw notFound(`no status of event ${eventId} is known yet`);
    return { eventId, latest, revisions };
  }

  @Get(':eventId/revisions/:revision')
  async revision(
    @Req() request: IncomingMessage,
    @Param('eventId') eventIdParam: string,
    @Param('revision') revisionParam: string,
  ): Promise<SubmissionStatusView> {
    const eventId = await this.ownEvent(request, eventIdParam);
    const revision = /^[1-9]\d{0,9}$/.test(revisionParam) ? Number(revisionParam) : NaN;
    if (!Number.isSafeInteger(revision) || revision > 2_147_483_647)
      throw new IngestError(
        IngestErrorCode.InvalidStatusRequest,
        'the revision must be a positive integer',
        { revision: revisionParam.slice(0, 40) },
        0,
      );
    const status = await this.statuses.statusOf(eventId, revision);
    if (status === undefined)
      throw notFound(`no status of revision ${revision} of event ${eventId} is known yet`);
    return status;
  }

  /** The event id, lower-cased as the intake keeps it, once the asking producer owns it. */
  private async ownEvent(request: IncomingMessage, eventIdParam: string): Promise<string> {
    const verified = verifiedProducer(request);
    if (!verified) throw new Error('the producer guard did not run on GET /v1/submissions/…');
    const producer = producerOf(verified);
    if (!UUID.test(eventIdParam))
      throw new IngestError(
        IngestErrorCode.InvalidStatusRequest,
        'the event id must be a UUID',
        { eventId: eventIdParam.slice(0, 40) },
        0,
      );
    const eventId = eventIdParam.toLowerCase();
    const owner = await this.bindings.ownerOf(eventId);
    if (owner === undefined)
      throw notFound(`no submission of event ${eventId} is known to '${producer}'`);
    if (owner !== producer)
      throw new IngestError(
        IngestErrorCode.EventOfAnotherProducer,
        `event ${eventId} was created by another producer; '${producer}' may not read its status`,
        { eventId },
        0,
      );
    return eventId;
  }
}

function notFound(message: string): IngestError {
  return new IngestError(IngestErrorCode.SubmissionNotFound, message, {}, 0);
}
