import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Credentials: one row per device with Hono's whole credentials set as a jsonb array, and one
 * `credential_key` row per (type, auth-id) it holds. The key table's primary key makes (type,
 * auth-id) unique per tenant; its rows go with the device's row (ON DELETE CASCADE). The
 * repository writes both, and the outbox, in one transaction.
 */
export class Credentials1763800000003 implements MigrationInterface {
  name = 'Credentials1763800000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE credentials (
        tenant_id varchar(256) NOT NULL,
        device_id varchar(256) NOT NULL,
        version varchar(64) NOT NULL,
        credentials jsonb NOT NULL CONSTRAINT credentials_is_array CHECK (jsonb_typeof(credentials) = 'array'),
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, device_id)
      )`);
    await q.query(`
      CREATE TABLE credential_key (
        tenant_id varchar(256) NOT NULL,
        type varchar(256) NOT NULL,
        auth_id text NOT NULL,
        device_id varchar(256) NOT NULL,
        CONSTRAINT credential_key_uq PRIMARY KEY (tenant_id, type, auth_id),
        CONSTRAINT credential_key_credentials_fk FOREIGN KEY (tenant_id, device_id)
          REFERENCES credentials (tenant_id, device_id) ON DELETE CASCADE
      )`);
    // The device's own keys: replaced on every write, and the cascade of a delete.
    await q.query(
      'CREATE INDEX credential_key_device_idx ON credential_key (tenant_id, device_id)',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE credential_key');
    await q.query('DROP TABLE credentials');
  }
}
