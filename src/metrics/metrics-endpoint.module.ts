import { DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsModule } from './metrics.module.js';

/**
 * GET /metrics, only with METRICS_ENABLED=1. Apart from MetricsModule, which every module that
 * counts imports: one registry, whether the endpoint is served or not.
 */
@Module({})
export class MetricsEndpointModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: MetricsEndpointModule,
      imports: [MetricsModule],
      controllers: config.metrics.enabled ? [MetricsController] : [],
    };
  }
}
