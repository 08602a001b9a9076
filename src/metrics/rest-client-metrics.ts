import type { ApiRequestMetrics } from '../kube/api-client.ts';
import type { Counter, Histogram, Registry } from '../prometheus/registry.ts';

/** client-go's buckets for rest_client_request_duration_seconds, as Stakater Reloader registers them. */
const REQUEST_DURATION_BUCKETS = [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30];

/**
 * client-go's `rest_client_requests_total{code,method,host}` and
 * `rest_client_request_duration_seconds{verb,host}`, which Stakater Reloader
 * exports, fed by our own API client. Every label is bounded: a status code
 * or "<error>", an HTTP method, and the one API server's host:port.
 */
export class RestClientMetrics implements ApiRequestMetrics {
  readonly requestsTotal: Counter<'code' | 'method' | 'host'>;
  readonly requestDuration: Histogram<'verb' | 'host'>;

  constructor(registry: Registry) {
    this.requestsTotal = registry.counter({
      name: 'rest_client_requests_total',
      help: 'HTTP requests to the API server by status code ("<error>": no answer), method and host (client-go compatible).',
      labelNames: ['code', 'method', 'host'],
    });
    this.requestDuration = registry.histogram({
      name: 'rest_client_request_duration_seconds',
      help: 'Time of a whole API request, its body read, by verb and host; watches are left out (client-go compatible).',
      labelNames: ['verb', 'host'],
      buckets: REQUEST_DURATION_BUCKETS,
    });
  }

  answered(method: string, host: string, code: string): void {
    this.requestsTotal.inc({ code, method, host });
  }

  took(method: string, host: string, seconds: number): void {
    this.requestDuration.observe({ verb: method, host }, seconds);
  }
}
