import type { AuthenticatedDevice } from '@tessera/adapter-base';
import { isServiceInvocationError } from '@tessera/registry-api';

import {
  checkQos,
  connackCode,
  disconnectReason,
  parsePublishTopic,
  resolveTarget,
} from './topic-mapping';

function statusOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (error) {
    return isServiceInvocationError(error) ? error.status : -1;
  }
  return undefined;
}

const device: AuthenticatedDevice = {
  tenantId: 'acme',
  deviceId: 'gw-1',
  authId: 'gw-1',
  method: 'password',
};

describe(parsePublishTopic.name, () => {
  it.each([
    ['telemetry', 'telemetry'],
    ['t', 'telemetry'],
    ['event', 'event'],
    ['e', 'event'],
  ])('maps the short form %s', (topic, endpoint) => {
    expect(parsePublishTopic(topic)).toEqual({ endpoint });
  });

  it('maps tenant and device, and an empty tenant', () => {
    expect(parsePublishTopic('t/acme/dev-1')).toEqual({
      endpoint: 'telemetry',
      tenantId: 'acme',
      deviceId: 'dev-1',
    });
    expect(parsePublishTopic('event//dev-1')).toEqual({
      endpoint: 'event',
      tenantId: '',
      deviceId: 'dev-1',
    });
  });

  it('reads content-type and hono-ttl from the property bag', () => {
    expect(
      parsePublishTopic('e/acme/dev-1/?content-type=application%2Fjson&hono-ttl=30&other=x'),
    ).toEqual({
      endpoint: 'event',
      tenantId: 'acme',
      deviceId: 'dev-1',
      contentType: 'application/json',
      ttlSeconds: 30,
    });
    expect(parsePublishTopic('telemetry/?content-type=text/plain')).toEqual({
      endpoint: 'telemetry',
      contentType: 'text/plain',
    });
    expect(parsePublishTopic('t/?content-type=')).toEqual({ endpoint: 'telemetry' });
  });

  it.each([
    '',
    'foo',
    'command',
    't/acme',
    't/acme/',
    't/acme/dev/extra',
    'telemetry/',
    'T',
    't/acme/dev/?hono-ttl=abc',
    't/acme/dev/?hono-ttl=-1',
  ])('refuses %p with 400', (topic) => {
    expect(statusOf(() => parsePublishTopic(topic))).toBe(400);
  });
});

describe(checkQos.name, () => {
  it('accepts telemetry with QoS 0 and 1, events with QoS 1 only', () => {
    expect(checkQos('telemetry', 0)).toBe(0);
    expect(checkQos('telemetry', 1)).toBe(1);
    expect(checkQos('event', 1)).toBe(1);
    expect(statusOf(() => checkQos('event', 0))).toBe(400);
    expect(statusOf(() => checkQos('telemetry', 2))).toBe(400);
    expect(statusOf(() => checkQos('event', 2))).toBe(400);
  });
});

describe(resolveTarget.name, () => {
  it('uses the authenticated device for the short form', () => {
    expect(resolveTarget({ endpoint: 'telemetry' }, device)).toEqual({
      tenantId: 'acme',
      deviceId: 'gw-1',
    });
  });

  it('fills an empty tenant from the authenticated device (gateway)', () => {
    expect(resolveTarget({ endpoint: 'event', tenantId: '', deviceId: 'd-2' }, device)).toEqual({
      tenantId: 'acme',
      deviceId: 'd-2',
    });
    expect(
      resolveTarget({ endpoint: 'event', tenantId: 'other', deviceId: 'd-2' }, device),
    ).toEqual({ tenantId: 'other', deviceId: 'd-2' });
  });

  it('requires tenant and device from an unauthenticated device', () => {
    expect(
      resolveTarget({ endpoint: 'telemetry', tenantId: 'acme', deviceId: 'd-2' }, undefined),
    ).toEqual({ tenantId: 'acme', deviceId: 'd-2' });
    expect(statusOf(() => resolveTarget({ endpoint: 'telemetry' }, undefined))).toBe(400);
    expect(
      statusOf(() =>
        resolveTarget({ endpoint: 'telemetry', tenantId: '', deviceId: 'd' }, undefined),
      ),
    ).toBe(400);
  });
});

describe(connackCode.name, () => {
  it.each([
    [401, 4, 0x04],
    [404, 4, 0x04],
    [503, 4, 0x03],
    [403, 4, 0x05],
    [500, 4, 0x05],
    [401, 5, 0x86],
    [404, 5, 0x86],
    [503, 5, 0x88],
    [403, 5, 0x87],
  ])('maps %d (MQTT v%d) to %d', (status, version, code) => {
    expect(connackCode({ status }, version)).toBe(code);
  });

  it.each([
    [503, 'ADAPTER.CONNECTIONS_EXCEEDED', 0x03, 0x9c],
    [403, 'TENANT.CONNECTIONS_EXCEEDED', 0x05, 0x97],
    [429, 'TENANT.DATA_VOLUME_EXCEEDED', 0x05, 0x97],
    [429, 'TENANT.CONNECTION_RATE_EXCEEDED', 0x03, 0x9f],
  ])('maps a %d %s to %d (3.1.1) and %d (MQTT 5)', (status, code, v4, v5) => {
    expect(connackCode({ status, code }, 4)).toBe(v4);
    expect(connackCode({ status, code }, 5)).toBe(v5);
  });
});

describe(disconnectReason.name, () => {
  it('maps processing errors to MQTT 5 reason codes', () => {
    expect(disconnectReason(413)).toBe(0x95);
    expect(disconnectReason(403)).toBe(0x87);
    expect(disconnectReason(503)).toBe(0x89);
    expect(disconnectReason(500)).toBe(0x80);
  });
});
