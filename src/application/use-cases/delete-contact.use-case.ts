import { inject, injectable } from 'inversify';

import { Email } from '../../domain/email';
import { NotFoundError } from '../../domain/errors';
import type { ContactRepository } from '../ports/contact-repository.port';
import { TOKENS } from '../ports/tokens';

@injectable()
export class DeleteContact {
  constructor(@inject(TOKENS.ContactRepository) private readonly contacts: ContactRepository) {}

  async execute(rawEmail: string): Promise<void> {
    const email = Email.parse(rawEmail);
    if (email === null || !(await this.contacts.delete(email.value))) {
      throw new NotFoundError(`No contact "${rawEmail}"`);
    }
  }
}
