import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox: change notifications written in the same transaction as the change.
 * `owner` names the repository (tenant, device, credentials) whose relay publishes them.
 */
export class Outbox1763800000001 implements MigrationInterface {
  name = 'Outbox1763800000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox (
        id uuid PRIMARY KEY,
        owner varchar(32) NOT NULL,
        topic varchar(256) NOT NULL,
        key varchar(512) NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query('CREATE INDEX outbox_owner_created_idx ON outbox (owner, created_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE outbox');
  }
}
