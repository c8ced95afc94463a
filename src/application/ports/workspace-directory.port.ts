/** A user of the Workspace directory, as the service needs it. */
export interface DirectoryUser {
  email: string;
  suspended: boolean;
}

/** The Workspace's user directory, read as GOOGLE_WORKSPACE_ADMIN through the domain-wide delegation. */
export interface WorkspaceDirectory {
  /** Whether GOOGLE_SERVICE_ACCOUNT_KEY is set: members can be enrolled by email. */
  readonly delegationConfigured: boolean;
  /** Whether GOOGLE_WORKSPACE_ADMIN is set too: whole domains can be read. */
  readonly directoryConfigured: boolean;
  /**
   * Every current (not deleted) user of the domain, all pages read; throws rather than answer a partial list.
   * DelegationNotConfiguredError when the directory cannot be read here.
   */
  users(domain: string): Promise<DirectoryUser[]>;
}
