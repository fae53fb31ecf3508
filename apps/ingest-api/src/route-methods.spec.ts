import { RouteMethods } from './route-methods';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { OpenApiController } from './openapi.controller';
import { SubmissionsController } from './submissions.controller';
import { SubmissionStatusController } from './submission-status.controller';

describe('RouteMethods', () => {
  const routes = RouteMethods.of([
    SubmissionsController,
    SubmissionStatusController,
    HealthController,
    MetricsController,
    OpenApiController,
  ]);

  it('reads each route and its methods from the controllers, GET with HEAD', () => {
    expect(routes.allowed('/v1/submissions')).toEqual(['POST']);
    expect(routes.allowed('/health')).toEqual(['GET', 'HEAD']);
    expect(routes.allowed('/metrics')).toEqual(['GET', 'HEAD']);
    expect(routes.allowed('/openapi.json')).toEqual(['GET', 'HEAD']);
  });

  it('matches a path as Express does: any case, a trailing slash, a query', () => {
    expect(routes.allowed('/V1/Submissions/?dry=1')).toEqual(['POST']);
    expect(routes.allowed('/v1/submission')).toBeUndefined();
    expect(routes.allowed('/')).toBeUndefined();
  });

  it('matches a route with parameters for any value of each segment, and no more segments', () => {
    const id = '5F0C2A4E-8B1D-4C3A-9E7F-0123456789AB';
    expect(routes.allowed(`/v1/submissions/${id}`)).toEqual(['GET', 'HEAD']);
    expect(routes.allowed(`/v1/submissions/${id}/revisions/2/`)).toEqual(['GET', 'HEAD']);
    expect(routes.allowed(`/v1/submissions/${id}/revisions`)).toBeUndefined();
    expect(routes.allowed(`/v1/submissions/${id}/revisions/2/x`)).toBeUndefined();
  });
});
