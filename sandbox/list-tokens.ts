import { createHash } from 'node:crypto';

import { z } from 'zod';

/** A sync token: the write sequence it was issued at, for one calendar and one generation of its tokens. */
const syncTokenSchema = z.object({
  calendar: z.string(),
  seq: z.number().int(),
  generation: z.number().int(),
});

/**
 * A page token: the query it belongs to, the sequence the listing started at (the next sync token continues from
 * there, so nothing written during paging is lost) and the last key handed out.
 */
const pageTokenSchema = z.object({
  query: z.string(),
  seq: z.number().int(),
  after: z.tuple([z.number(), z.string()]),
});

export type SyncToken = z.infer<typeof syncTokenSchema>;
export type PageToken = z.infer<typeof pageTokenSchema>;

const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function decode<T>(token: string, schema: z.ZodType<T>): T | null {
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export const encodeSyncToken = (token: SyncToken): string => encode(token);
export const decodeSyncToken = (token: string): SyncToken | null => decode(token, syncTokenSchema);
export const encodePageToken = (token: PageToken): string => encode(token);
export const decodePageToken = (token: string): PageToken | null => decode(token, pageTokenSchema);

/** Identifies a query, so a page token only continues the query that produced it. */
export function queryFingerprint(query: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(query)).digest('base64url').slice(0, 16);
}
