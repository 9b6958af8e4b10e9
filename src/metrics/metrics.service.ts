import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LimitReason, LoginFailure } from '../audit/audit-event.js';
import { AppConfig } from '../config/app-config.js';
import { HttpRequestMetrics } from './http-request-metrics.js';

export type LoginOutcome = 'succeeded' | LoginFailure | 'limited' | 'mfa_required' | 'bad_mfa_code';
export type RefreshOutcome = 'rotated' | 'reuse_tolerated' | 'invalid' | 'reused';
export type RateLimit = LimitReason;
export type MailOutcome = 'queued' | 'sent' | 'failed' | 'dropped';

/**
 * Prometheus metrics (prom-client), on a registry of this app's own. With METRICS_ENABLED off,
 * every method is a no-op, so callers need not care. Labels are bounded: route patterns, statuses,
 * outcomes — never raw paths or usernames.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly http?: HttpRequestMetrics;
  private readonly logins?: Counter<'outcome'>;
  private readonly refreshes?: Counter<'outcome'>;
  private readonly rateLimited?: Counter<'limit'>;
  private readonly hashDuration?: Histogram<'operation'>;
  private readonly mails?: Counter<'kind' | 'outcome'>;

  constructor(config: AppConfig) {
    if (!config.metrics.enabled) return;
    const registers = [this.registry];
    // Event-loop lag, memory, CPU, GC, handles: prom-client's defaults.
    collectDefaultMetrics({ register: this.registry });
    this.http = new HttpRequestMetrics(this.registry);
    this.logins = new Counter({
      name: 'auth_logins_total',
      help: 'Login attempts by outcome.',
      labelNames: ['outcome'],
      registers,
    });
    this.refreshes = new Counter({
      name: 'auth_refreshes_total',
      help: 'Refresh-token exchanges by outcome.',
      labelNames: ['outcome'],
      registers,
    });
    this.rateLimited = new Counter({
      name: 'auth_rate_limited_total',
      help: 'Requests refused with 429, by the limit that refused them.',
      labelNames: ['limit'],
      registers,
    });
    this.hashDuration = new Histogram({
      name: 'password_hash_duration_seconds',
      help: 'Time from queueing a password hash or check to its result.',
      labelNames: ['operation'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4],
      registers,
    });
    this.mails = new Counter({
      name: 'mail_total',
      help: 'Mails by kind and outcome: queued, sent, failed (one attempt; it is retried), dropped (never to be sent).',
      labelNames: ['kind', 'outcome'],
      registers,
    });
  }

  request(method: string, route: string | undefined, status: number, seconds: number): void {
    this.http?.observe(method, route ?? 'unmatched', status, seconds);
  }

  login(outcome: LoginOutcome): void {
    this.logins?.inc({ outcome });
  }

  refresh(outcome: RefreshOutcome): void {
    this.refreshes?.inc({ outcome });
  }

  limited(limit: RateLimit): void {
    this.rateLimited?.inc({ limit });
  }

  hashed(operation: 'hash' | 'compare', seconds: number): void {
    this.hashDuration?.observe({ operation }, seconds);
  }

  mail(kind: string, outcome: MailOutcome): void {
    this.mails?.inc({ kind, outcome });
  }

  /** A gauge read when Prometheus scrapes (e.g. the hash queue depth). */
  gauge(name: string, help: string, read: () => number): void {
    if (!this.http) return;
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }
}
