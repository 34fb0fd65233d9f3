import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The creation time of the device incarnation a credentials set was written for, so that the set
 * of a deleted device is not taken for the one of a device created again under its id before the
 * deletion's notification removed it. NULL for sets written before it was recorded.
 */
export class CredentialsDeviceCreated1763800000006 implements MigrationInterface {
  name = 'CredentialsDeviceCreated1763800000006';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE credentials ADD COLUMN device_created timestamptz');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE credentials DROP COLUMN device_created');
  }
}
