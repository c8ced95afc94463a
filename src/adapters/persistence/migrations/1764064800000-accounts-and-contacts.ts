import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AccountsAndContacts1764064800000 implements MigrationInterface {
  name = 'AccountsAndContacts1764064800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "accounts" ("id" text NOT NULL, "name" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "accounts_pkey" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "account_domains" ("account_id" text NOT NULL, "domain" text NOT NULL, CONSTRAINT "account_domains_pkey" PRIMARY KEY ("account_id", "domain"))`,
    );
    await queryRunner.query(`CREATE INDEX "account_domains_domain_idx" ON "account_domains" ("domain")`);
    await queryRunner.query(
      `CREATE TABLE "contacts" ("email" text NOT NULL, "name" text, "account_id" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "contacts_pkey" PRIMARY KEY ("email"))`,
    );
    await queryRunner.query(`CREATE INDEX "contacts_account_id_idx" ON "contacts" ("account_id")`);
    await queryRunner.query(
      `ALTER TABLE "account_domains" ADD CONSTRAINT "account_domains_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "contacts" ADD CONSTRAINT "contacts_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "contacts"`);
    await queryRunner.query(`DROP TABLE "account_domains"`);
    await queryRunner.query(`DROP TABLE "accounts"`);
  }
}
