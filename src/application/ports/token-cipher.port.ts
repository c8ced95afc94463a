/** Authenticated encryption of secrets at rest; `context` binds a ciphertext to its row (e.g. the member id). */
export interface TokenCipher {
  encrypt(plaintext: string, context: string): Uint8Array;
  /** Throws when the ciphertext was altered, moved to another context, or made under another key. */
  decrypt(ciphertext: Uint8Array, context: string): string;
}
