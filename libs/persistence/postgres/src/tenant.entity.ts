import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Row of `tenant`: the document plus the columns the store indexes. Never leaves this lib. */
@Entity({ name: 'tenant' })
export class TenantEntity {
  @PrimaryColumn({ type: 'varchar', length: 256 })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  version!: string;

  @Column({ type: 'jsonb' })
  // Typed loosely here: TypeORM's deep-partial types do not terminate on a recursive JSON type.
  document!: Record<string, unknown>;

  @Column({ type: 'varchar', length: 256, nullable: true })
  alias!: string | null;

  @Column({ name: 'trust_anchor_group', type: 'varchar', length: 256, nullable: true })
  trustAnchorGroup!: string | null;

  @Column({ name: 'subject_dns', type: 'text', array: true })
  subjectDns!: string[];

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
