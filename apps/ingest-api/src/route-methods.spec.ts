import { RouteMethods } from './route-methods';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { OpenApiController } from './openapi.controller';
import { SubmissionsController } from './submissions.controller';

describe('RouteMethods', () => {
  const routes = RouteMethods.of([
    SubmissionsController,
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
});
