import { isSpanContextValid, trace } from '@opentelemetry/api';

/** The ids of the span a log line was written in, as OpenTelemetry's log conventions name them. */
export interface TraceContextFields {
  /** 32 hex digits; Application Insights shows it as the operation id. */
  readonly trace_id?: string;
  /** 16 hex digits: the request's span, or a database or Key Vault call inside it. */
  readonly span_id?: string;
  /** `01` when the trace is sampled (sent), `00` when not. */
  readonly trace_flags?: string;
}

/**
 * The active span's ids, for every log line (a pino mixin). With tracing off no context
 * manager is registered, so there is never an active span and this returns an empty object
 * (a new one: pino merges the line's fields into it).
 */
export function traceContext(): TraceContextFields {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const context = span.spanContext();
  if (!isSpanContextValid(context)) return {};
  return { trace_id: context.traceId, span_id: context.spanId, trace_flags: context.traceFlags.toString(16).padStart(2, '0') };
}
