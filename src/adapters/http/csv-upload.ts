import express, { type RequestHandler } from 'express';

import { ValidationFailedError } from '../../domain/errors';

/** The largest CSV the admin pages take: a batch of 10,000 rows fits with room to spare. */
export const MAX_CSV_BYTES = 2 * 1024 * 1024;
/** What a form holds besides the CSV: the anti-CSRF token and the parts' headers. */
const FORM_OVERHEAD_BYTES = 16 * 1024;

/**
 * Reads a multipart/form-data body (a file input needs it) into plain text fields, as express.urlencoded does
 * for the other forms, so that protectedForm's token check can follow; a file becomes its text. Node's own
 * fetch implementation parses the parts. Bodies of other types are left to the parsers after this one.
 */
export function multipartFields(): RequestHandler[] {
  return [
    express.raw({ type: 'multipart/form-data', limit: MAX_CSV_BYTES + FORM_OVERHEAD_BYTES }),
    async (req, _res, next) => {
      if (!Buffer.isBuffer(req.body)) {
        next();
        return;
      }
      let form: FormData;
      try {
        form = await new Response(req.body, {
          headers: { 'content-type': req.get('content-type')! },
        }).formData();
      } catch {
        throw new ValidationFailedError([], 'The upload could not be read as a form: send it again');
      }
      const fields: Record<string, string> = {};
      for (const [name, value] of form) fields[name] = typeof value === 'string' ? value : await value.text();
      req.body = fields;
      next();
    },
  ];
}

export type UploadedCsv = { csv: string } | { problem: 'missing' | 'both' | 'too_large' };

/** The CSV of a form: its file (`file`) or its pasted text (`csv`), not both. */
export function uploadedCsv(body: unknown): UploadedCsv {
  const fields = (body ?? {}) as Record<string, unknown>;
  const [file, pasted] = [fields.file, fields.csv].map((value) => (typeof value === 'string' ? value : ''));
  const given = [file!, pasted!].filter((text) => text.trim() !== '');
  if (given.length === 0) return { problem: 'missing' };
  if (given.length > 1) return { problem: 'both' };
  // A browser sends a form's text with CRLF line breaks: the file previewed with LF must not grow past the limit
  // when its preview sends it back for Apply.
  const csv = given[0]!.replace(/\r\n/g, '\n');
  return Buffer.byteLength(csv) > MAX_CSV_BYTES ? { problem: 'too_large' } : { csv };
}
