import type { LoggerService, LogLevel } from '@nestjs/common';
import { trace } from '@opentelemetry/api';

/**
 * Structured logs for the services: one JSON object per line on stdout (errors and warnings on
 * stderr) with time, level, context and message, and the active trace's `trace_id`/`span_id` so
 * that a log line leads to its trace. Messages are written as given: nothing here logs request
 * bodies or configuration values, and config printing masks secrets (libs/config).
 */
export class JsonLogger implements LoggerService {
  constructor(private readonly levels: readonly LogLevel[] = ['error', 'warn', 'log']) {}

  log(message: unknown, context?: string): void {
    this.write('log', message, context);
  }

  error(message: unknown, stackOrContext?: string, context?: string): void {
    this.write(
      'error',
      message,
      context ?? stackOrContext,
      context === undefined ? undefined : stackOrContext,
    );
  }

  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }

  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }

  verbose(message: unknown, context?: string): void {
    this.write('verbose', message, context);
  }

  private write(level: LogLevel, message: unknown, context?: string, stack?: string): void {
    if (!this.levels.includes(level)) return;
    const span = trace.getActiveSpan()?.spanContext();
    const line: Record<string, unknown> = {
      time: new Date().toISOString(),
      level,
      ...(context !== undefined && { context }),
      message: message instanceof Error ? message.message : message,
      ...(stack !== undefined && { stack }),
      ...(span !== undefined &&
        span.traceId !== '00000000000000000000000000000000' && {
          trace_id: span.traceId,
          span_id: span.spanId,
        }),
    };
    const out = level === 'error' || level === 'warn' ? process.stderr : process.stdout;
    out.write(`${JSON.stringify(line)}\n`);
  }
}
