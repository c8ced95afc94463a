/** Authenticated encryption of secrets at rest; `context` binds a ciphertext to its row (e.g. the member id). */
export interface TokenCipher {
  encrypt(plaintext: string, context: string): Buffer;
  /** Throws when the ciphertext was altered, moved to another context, or made under another key. */
  decrypt(ciphertext: Buffer, context: string): string;
}
