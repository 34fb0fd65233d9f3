import { Tenant1763800000000 } from './1763800000000-tenant';
import { Outbox1763800000001 } from './1763800000001-outbox';

/** Every migration, oldest first. TypeORM records the applied ones in `migrations`. */
export const migrations = [Tenant1763800000000, Outbox1763800000001];
