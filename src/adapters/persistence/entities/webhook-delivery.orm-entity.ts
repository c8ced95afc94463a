import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';

import { WebhookEndpointOrmEntity } from './webhook-endpoint.orm-entity';

/** One attempt to deliver one change to one endpoint (`pending` while it is made). */
@Entity({ name: 'webhook_deliveries' })
@Index('webhook_deliveries_endpoint_idx', ['endpointId', 'id'])
export class WebhookDeliveryOrmEntity {
  @PrimaryGeneratedColumn('increment', {
    type: 'bigint',
    primaryKeyConstraintName: 'webhook_deliveries_pkey',
  })
  id!: string;

  @Column({ name: 'endpoint_id', type: 'uuid' })
  endpointId!: string;

  @Column({ name: 'change_id', type: 'uuid' })
  changeId!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'integer' })
  attempt!: number;

  @Column({ name: 'attempted_at', type: 'timestamptz', default: () => 'now()' })
  attemptedAt!: Date;

  /** pending | delivered | failed */
  @Column({ type: 'text' })
  status!: string;

  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus!: number | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @ManyToOne(() => WebhookEndpointOrmEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'endpoint_id', foreignKeyConstraintName: 'webhook_deliveries_endpoint_id_fkey' })
  endpoint!: WebhookEndpointOrmEntity;
}
