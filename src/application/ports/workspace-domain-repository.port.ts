/** The Workspace domains enrolled through delegation so far: the directory sync goes over each. */
export interface WorkspaceDomainRepository {
  add(domain: string): Promise<void>;
  list(): Promise<string[]>;
  /** Records a read of the domain's directory: complete (error null) or failed. */
  synced(domain: string, error: string | null): Promise<void>;
}
