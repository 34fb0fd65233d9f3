import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Optional,
} from '@nestjs/common';

import { DeviceRepository, type StoredDevice } from '@tessera/persistence';
import type { DeliverProvisioningNotification } from '@tessera/registry-api';
import { ProvisioningNotificationClient } from '@tessera/registry-kit';
import { counter, upDownCounter } from '@tessera/telemetry';

/** DI token of the notifier's options. */
export const PROVISIONING_NOTIFIER_OPTIONS = Symbol('tessera.provisioning-notifier-options');

/** Options of the {@link ProvisioningNotifier}. */
export interface ProvisioningNotifierOptions {
  /** How often the relay looks for unsent notifications (ms). */
  readonly intervalMs: number;
  /** Devices per relay round. */
  readonly batchSize: number;
}

const DEFAULTS: ProvisioningNotifierOptions = { intervalMs: 2_000, batchSize: 100 };

/** Notifications still to deliver, as last counted by the relay (at most one batch). */
const pendingGauge = upDownCounter(
  'tessera.provisioning.notifications.pending',
  'Auto-provisioned devices whose notification is not delivered yet (at most one relay batch)',
);
const redelivered = counter(
  'tessera.provisioning.notifications.redelivered',
  'Notifications delivered on a later attempt (relay, assert or lookup), not right after provisioning',
);

/**
 * Delivers the Device Provisioning Notification of every auto-provisioned device at least once
 * (ARCHITECTURE.md, guarantee 1). The device is stored with the notification unsent in the same
 * write that creates it; this notifier asks the provisioning-notification service to deliver, which
 * answers only after the broker acknowledged, and then sets the flag with a version check.
 *
 * Delivery is attempted right after provisioning, again on the device's next `assert` (Hono's
 * path), and by a background relay that scans for unsent notifications (beyond Hono, where a
 * device that never returns loses its notification). Concurrent attempts for one device in this
 * process are coalesced; across processes a notification may go out twice, which consumers must
 * tolerate (Hono says the same) and which is counted.
 */
@Injectable()
export class ProvisioningNotifier implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('provisioning-notifier');
  private readonly inFlight = new Map<string, Promise<boolean>>();
  private readonly options: ProvisioningNotifierOptions;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private pendingReported = 0;

  constructor(
    private readonly devices: DeviceRepository,
    @Optional() private readonly client?: ProvisioningNotificationClient,
    @Optional() @Inject(PROVISIONING_NOTIFIER_OPTIONS) options?: ProvisioningNotifierOptions,
  ) {
    this.options = options ?? DEFAULTS;
  }

  onApplicationBootstrap(): void {
    if (this.client === undefined) {
      this.logger.warn(
        'no provisioning-notification service configured: notifications stay pending',
      );
      return;
    }
    this.timer = setInterval(() => {
      void this.relay();
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.round;
    await Promise.allSettled(this.inFlight.values());
  }

  /**
   * Delivers the device's notification if it is auto-provisioned and not yet notified.
   * @returns true when nothing is pending for it any more; false when delivery failed (it stays
   *   pending for the relay). Never throws.
   */
  notify(
    tenantId: string,
    deviceId: string,
    reason: 'provisioned' | 'assert' | 'lookup' | 'relay',
  ): Promise<boolean> {
    const key = `${tenantId}\u0000${deviceId}`;
    let pending = this.inFlight.get(key);
    if (pending === undefined) {
      pending = this.deliver(tenantId, deviceId, reason).finally(() => {
        this.inFlight.delete(key);
      });
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  /** Whether a stored device still waits for its notification. */
  static isPending(device: StoredDevice): boolean {
    return device.status.autoProvisioned && !device.status.autoProvisioningNotificationSent;
  }

  /** One relay round now (also what the timer runs); resolves when it is done. */
  relay(): Promise<void> {
    this.round ??= this.relayRound().finally(() => {
      this.round = undefined;
    });
    return this.round;
  }

  private async relayRound(): Promise<void> {
    let devices: StoredDevice[];
    try {
      devices = await this.devices.findUnnotified(this.options.batchSize);
    } catch (error) {
      this.logger.warn(`cannot read pending notifications: ${String(error)}`);
      return;
    }
    counter(
      'tessera.provisioning.notifications.relay_scanned',
      'Pending notifications the relay found',
    ).add(devices.length);
    pendingGauge.add(devices.length - this.pendingReported);
    this.pendingReported = devices.length;
    // A few at a time: the notification service batches concurrent sends into one produce request.
    const queue = [...devices];
    const workers = Array.from({ length: Math.min(16, queue.length) }, async () => {
      for (let d = queue.shift(); d !== undefined; d = queue.shift()) {
        await this.notify(d.tenantId, d.id, 'relay');
      }
    });
    await Promise.all(workers);
  }

  private async deliver(tenantId: string, deviceId: string, reason: string): Promise<boolean> {
    if (this.client === undefined) return false;
    const device = await this.devices.findById(tenantId, deviceId).catch(() => undefined);
    if (device === undefined) return true; // deleted: nothing to announce any more
    if (!ProvisioningNotifier.isPending(device)) return true;
    const defaults = device.document['defaults'];
    // An edge device provisioned by a gateway names exactly that gateway in `via`.
    const gatewayId = device.via.length === 1 ? device.via[0] : undefined;
    // Ids come from the store, where they were validated on the way in.
    const request = {
      'device-id': deviceId,
      ...(gatewayId !== undefined && { 'gateway-id': gatewayId }),
      ...(typeof defaults === 'object' && defaults !== null && !Array.isArray(defaults)
        ? { defaults }
        : {}),
    } as DeliverProvisioningNotification;
    try {
      await this.client.deliver(tenantId, request);
    } catch (error) {
      counter(
        'tessera.provisioning.notifications.failed',
        'Notification deliveries that failed',
      ).add(1, {
        reason,
      });
      this.logger.warn(
        `notification for ${tenantId}/${deviceId} not delivered yet: ${String(error)}`,
      );
      return false;
    }
    counter(
      'tessera.provisioning.notifications.delivered',
      'Provisioning notifications delivered',
    ).add(1, {
      reason,
    });
    if (reason !== 'provisioned') redelivered.add(1, { reason });
    const marked = await this.devices
      .markNotificationSent(tenantId, deviceId, device.version)
      .catch(() => false);
    if (!marked) {
      // Someone else flipped the flag (a duplicate went out), or the device changed: look again.
      const now = await this.devices.findById(tenantId, deviceId).catch(() => undefined);
      if (now !== undefined && !ProvisioningNotifier.isPending(now)) {
        counter(
          'tessera.provisioning.notifications.duplicates',
          'Notifications delivered more than once',
        ).add(1);
        return true;
      }
      // Changed by a management update in between: the next round delivers against the new version.
      return false;
    }
    return true;
  }
}
