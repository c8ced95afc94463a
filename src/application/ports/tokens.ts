/** Inversify identifiers of every port and use case; bound in src/container.ts only. */
export const TOKENS = {
  Config: Symbol('Config'),
  Logger: Symbol('Logger'),
  Clock: Symbol('Clock'),
  DomainKnowledge: Symbol('DomainKnowledge'),
  AccountMatcher: Symbol('AccountMatcher'),
  AccountRepository: Symbol('AccountRepository'),
  ContactRepository: Symbol('ContactRepository'),
  MatchLookupRepository: Symbol('MatchLookupRepository'),
  DatabaseHealth: Symbol('DatabaseHealth'),
  Metrics: Symbol('Metrics'),
} as const;
