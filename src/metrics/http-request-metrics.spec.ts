import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { HttpRequestMetrics } from './http-request-metrics.js';

describe('HTTP request metrics', () => {
  it('prints a Prometheus counter and a cumulative histogram per method, route and status', async () => {
    const registry = new Registry();
    const metrics = new HttpRequestMetrics(registry);
    metrics.observe('GET', '/protected', 200, 0.0004);
    metrics.observe('GET', '/protected', 200, 0.003);
    metrics.observe('GET', '/protected', 200, 7);
    metrics.observe('POST', '/login', 401, 0.2);
    const text = await registry.metrics();
    const route = 'method="GET",route="/protected",status="200"';
    for (const line of [
      '# TYPE http_requests_total counter',
      `http_requests_total{${route}} 3`,
      'http_requests_total{method="POST",route="/login",status="401"} 1',
      '# TYPE http_request_duration_seconds histogram',
      `http_request_duration_seconds_bucket{le="0.0005",${route}} 1`,
      `http_request_duration_seconds_bucket{le="0.0025",${route}} 1`,
      `http_request_duration_seconds_bucket{le="0.005",${route}} 2`,
      `http_request_duration_seconds_bucket{le="2.5",${route}} 2`,
      `http_request_duration_seconds_bucket{le="+Inf",${route}} 3`,
      `http_request_duration_seconds_sum{${route}} 7.0034`,
      `http_request_duration_seconds_count{${route}} 3`,
    ]) {
      expect(text.split('\n')).toContain(line);
    }
  });

  it('starts again from zero when the registry is reset', async () => {
    const registry = new Registry();
    new HttpRequestMetrics(registry).observe('GET', '/health', 200, 0.001);
    registry.resetMetrics();
    expect(await registry.metrics()).not.toContain('route="/health"');
  });
});
