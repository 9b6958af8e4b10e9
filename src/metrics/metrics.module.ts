import { Module } from '@nestjs/common';
import { MetricsService } from './metrics.service.js';

/** The MetricsService always (a no-op when off), for every module that counts something. */
@Module({ providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule {}
