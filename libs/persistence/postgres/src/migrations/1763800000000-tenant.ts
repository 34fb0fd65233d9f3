import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The tenant table: document as jsonb, unique alias, GIN index for trusted CA subject DNs. */
export class Tenant1763800000000 implements MigrationInterface {
  name = 'Tenant1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tenant (
        id varchar(256) PRIMARY KEY,
        version varchar(64) NOT NULL,
        document jsonb NOT NULL,
        alias varchar(256),
        trust_anchor_group varchar(256),
        subject_dns text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query('CREATE UNIQUE INDEX tenant_alias_uq ON tenant (alias) WHERE alias IS NOT NULL');
    await q.query('CREATE INDEX tenant_subject_dns_idx ON tenant USING GIN (subject_dns)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE tenant');
  }
}
