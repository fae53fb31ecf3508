import { Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { IncomingMessage } from 'node:http';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { IngestMetrics } from './ingest.metrics';
import { verifiedProducer } from './producer-auth.guard';
import { producerOf } from './token.verifier';
import { assertJsonRequest, parseJsonBody, readBody } from './request-body.reader';
import { SubmissionIntake, type AcceptedSubmission } from './submission-intake.service';

/** `POST /v1/submissions`: transport only; the intake decides. The guard ran before. */
@Controller('v1/submissions')
export class SubmissionsController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SubmissionIntake) private readonly intake: SubmissionIntake,
    @Inject(IngestMetrics) private readonly metrics: IngestMetrics,
  ) {}

  @Post()
  @HttpCode(202)
  async submit(@Req() request: IncomingMessage): Promise<{ accepted: AcceptedSubmission[] }> {
    try {
      const verified = verifiedProducer(request);
      if (!verified) throw new Error('the producer guard did not run on POST /v1/submissions');
      const producer = producerOf(verified);
      assertJsonRequest(request.headers);
      const body = parseJsonBody(await readBody(request, this.config.ingest.maxBodyBytes));
      const accepted = await this.intake.submit(body, producer);
      this.metrics.countAccepted(accepted);
      return { accepted };
    } catch (error) {
      this.metrics.countRefused(error);
      throw error;
    }
  }
}
