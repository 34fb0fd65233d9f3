import type { RegistrationAssertion } from '@tessera/registry-api';

/**
 * Client of the Device Registration API (Hono `DeviceRegistrationClient`): asserts that a device
 * is registered and enabled, and that a gateway may act on its behalf. Transport-neutral;
 * {@link RequestResponseRegistrationClient} implements it on a `RequestResponseClient`,
 * optionally with a response cache.
 *
 * Implementations create no spans of their own; the transport propagates the active trace context.
 */
export abstract class RegistrationClient {
  /**
   * Asserts a device's registration status.
   *
   * @param tenantId the device's tenant.
   * @param deviceId the device that sends or receives data.
   * @param gatewayId the gateway acting on behalf of the device; `undefined` when the device
   *   itself is connected. The registry may auto-provision the device for a gateway.
   * @returns the assertion: `device-id`, `via` (every gateway that may act for the device, including
   *   `gatewayId`), `defaults`, mappers and `command-endpoint` where set.
   * @throws ClientError (400) if `tenantId` is invalid (checked locally) or the registry refused the
   *   request; ClientError (403) if the gateway is unknown, disabled or not authorized for the
   *   device; NotFoundError (404) if the tenant or device is unknown or disabled; ServerError
   *   (503, retryable) if the registry did not answer; ServerError (500, not retryable) for a
   *   malformed reply; any other reply status through `errorFromStatus`.
   */
  abstract assertRegistration(
    tenantId: string,
    deviceId: string,
    gatewayId?: string,
  ): Promise<RegistrationAssertion>;
}
