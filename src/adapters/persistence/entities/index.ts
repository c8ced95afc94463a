import { AccountDomainOrmEntity } from './account-domain.orm-entity';
import { AccountOrmEntity } from './account.orm-entity';
import { ContactOrmEntity } from './contact.orm-entity';

export const ORM_ENTITIES = [AccountOrmEntity, AccountDomainOrmEntity, ContactOrmEntity];
