import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import { bootstrapTelemetry } from '@tessera/telemetry';

/** Prometheus scrape endpoint `/metrics`. */
@Controller()
export class MetricsController {
  @Get('metrics')
  metrics(@Req() request: Request, @Res() response: Response): void {
    // bootstrapTelemetry returns the process-wide handle that main.ts created first.
    bootstrapTelemetry({ serviceName: 'tessera' }).metricsHandler(request, response);
  }
}
