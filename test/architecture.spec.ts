import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * The hexagon's arrows point inward only (DESIGN.md): the domain imports nothing outside itself; the application
 * imports the domain, its own files, inversify's decorators and Node's built-ins, never an adapter or a framework.
 */
const SRC = path.resolve(__dirname, '../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\s)(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g)].map(
    (m) => m[1]!,
  );
  const bare = [...text.matchAll(/(?:^|\s)import\s+['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  const dynamic = [...text.matchAll(/(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!);
  return [...specifiers, ...bare, ...dynamic];
}

/** The rules, over a source tree: each layer with what it may import. */
function rulesOver(root: string) {
  const inside = (resolved: string | null, ...layers: string[]) =>
    resolved !== null && layers.some((layer) => resolved.startsWith(path.join(root, layer) + path.sep));
  const violations = (layer: string, allowed: (specifier: string, resolved: string | null) => boolean) =>
    sourceFiles(path.join(root, layer)).flatMap((file) =>
      importsOf(file)
        .filter((specifier) => {
          const resolved = specifier.startsWith('.') ? path.resolve(path.dirname(file), specifier) : null;
          return !allowed(specifier, resolved);
        })
        .map((specifier) => `${path.relative(root, file)} imports ${specifier}`),
    );
  return {
    domain: () => violations('domain', (_specifier, resolved) => inside(resolved, 'domain')),
    application: () =>
      violations(
        'application',
        (specifier, resolved) =>
          inside(resolved, 'domain', 'application') || specifier === 'inversify' || isBuiltin(specifier),
      ),
  };
}

const isBuiltin = (specifier: string) => specifier.startsWith('node:') || builtinModules.includes(specifier);

describe('architecture', () => {
  const rules = rulesOver(SRC);

  it('keeps the domain free of imports from outside itself', () => {
    expect(rules.domain()).toEqual([]);
  });

  it('keeps the application free of adapters and frameworks', () => {
    expect(rules.application()).toEqual([]);
  });

  it('notices violations (the check itself works)', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'hexagon-'));
    try {
      const write = (file: string, text: string) => {
        mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        writeFileSync(path.join(root, file), text);
      };
      write('domain/ok.ts', "import { Email } from './email';\nexport const x = 1;\n");
      write(
        'domain/bad.ts',
        "import { x } from './ok';\nimport type { Express } from 'express';\nimport { y } from '../adapters/http/app';\n",
      );
      write(
        'application/ports/ok.ts',
        "import { randomUUID } from 'node:crypto';\nimport { x } from '../../domain/ok';\n",
      );
      write(
        'application/use-cases/bad.ts',
        "import { injectable } from 'inversify';\nimport { DataSource } from 'typeorm';\n" +
          "export { z } from '../../adapters/persistence/data-source';\nconst pg = require('pg');\n",
      );
      expect(rulesOver(root).domain()).toEqual([
        `${path.join('domain', 'bad.ts')} imports express`,
        `${path.join('domain', 'bad.ts')} imports ../adapters/http/app`,
      ]);
      expect(rulesOver(root).application().sort()).toEqual(
        [
          `${path.join('application', 'use-cases', 'bad.ts')} imports typeorm`,
          `${path.join('application', 'use-cases', 'bad.ts')} imports ../../adapters/persistence/data-source`,
          `${path.join('application', 'use-cases', 'bad.ts')} imports pg`,
        ].sort(),
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
