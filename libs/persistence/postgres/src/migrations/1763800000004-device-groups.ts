import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Registration API resolves a device's `viaGroups` into the gateways that are members of them
 * on every uncached `assert`: index `member_of` for the overlap query (`member_of && groups`).
 */
export class DeviceGroups1763800000004 implements MigrationInterface {
  name = 'DeviceGroups1763800000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX device_member_of_idx ON device USING GIN (member_of)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX device_member_of_idx');
  }
}
