import { z } from 'zod';

/** Quality-of-service levels of downstream messages (Hono `QoS`). Events are always 1. */
export const Qos = {
  /** Fire and forget (telemetry only). */
  AT_MOST_ONCE: 0,
  /** The sender waits for the broker's acknowledgement (events, QoS 1 telemetry). */
  AT_LEAST_ONCE: 1,
} as const;

/** `0` (at most once) or `1` (at least once). */
export type Qos = (typeof Qos)[keyof typeof Qos];

/** A QoS level as a JSON number or AMQP application property value. */
export const QosSchema = z
  .union([z.literal(Qos.AT_MOST_ONCE), z.literal(Qos.AT_LEAST_ONCE)])
  .describe('The QoS level: 0 (at most once) or 1 (at least once).');

/**
 * A QoS level as it arrives in a Kafka header or a query string (`"0"`/`"1"`), or as a number;
 * parsed to {@link Qos}. Any other value is a client error (400).
 */
export const QosHeaderSchema = z
  .union([QosSchema, z.enum(['0', '1']).transform((value) => (value === '1' ? 1 : 0))])
  .describe('The QoS level as a number or as the string "0" or "1".');
