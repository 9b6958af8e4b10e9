import { DynamicModule, Global, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { MetricsController } from './metrics.controller.js';
import { Metrics } from './metrics.service.js';

/** The Metrics service always (a no-op when off); GET /metrics only with METRICS_ENABLED=1. */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: MetricsModule,
      controllers: config.metrics.enabled ? [MetricsController] : [],
      providers: [Metrics],
      exports: [Metrics],
    };
  }
}
