import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tenant ids that differ only in `.` versus `_` would share Kafka topics (Kafka treats the two as
 * colliding), so the tenant service looks for such ids before creating a tenant: index the id as
 * Kafka sees it. Not unique: tenants created before the check may already collide.
 */
export class TenantTopicName1763800000005 implements MigrationInterface {
  name = 'TenantTopicName1763800000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX tenant_topic_name_idx ON tenant (translate(id, '.', '_'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX tenant_topic_name_idx');
  }
}
