import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The device table: one row per (tenant, device), the Hono device JSON (without `status`) as
 * jsonb, the gateway keys as arrays and the server-owned status as columns. `updated_at` stays
 * NULL until the first update (Hono's `status.updated` is absent for a new device).
 */
export class Device1763800000002 implements MigrationInterface {
  name = 'Device1763800000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE device (
        tenant_id varchar(256) NOT NULL,
        id varchar(256) NOT NULL,
        version varchar(64) NOT NULL,
        document jsonb NOT NULL,
        via text[] NOT NULL DEFAULT '{}',
        via_groups text[] NOT NULL DEFAULT '{}',
        member_of text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL,
        updated_at timestamptz,
        auto_provisioned boolean NOT NULL DEFAULT false,
        notification_sent boolean NOT NULL DEFAULT true,
        PRIMARY KEY (tenant_id, id)
      )`);
    // isGateway: "does any device of the tenant list this id in via" (via @> ARRAY[id]).
    await q.query('CREATE INDEX device_via_idx ON device USING GIN (via)');
    // The re-delivery relay's scan: only the (few) auto-provisioned devices still unnotified.
    await q.query(
      'CREATE INDEX device_unnotified_idx ON device (created_at) WHERE auto_provisioned AND NOT notification_sent',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE device');
  }
}
