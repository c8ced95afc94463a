import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
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

function violations(
  layer: string,
  allowed: (specifier: string, resolved: string | null) => boolean,
): string[] {
  return sourceFiles(path.join(SRC, layer)).flatMap((file) =>
    importsOf(file)
      .filter((specifier) => {
        const resolved = specifier.startsWith('.') ? path.resolve(path.dirname(file), specifier) : null;
        return !allowed(specifier, resolved);
      })
      .map((specifier) => `${path.relative(SRC, file)} imports ${specifier}`),
  );
}

const inside = (resolved: string | null, ...layers: string[]) =>
  resolved !== null && layers.some((layer) => resolved.startsWith(path.join(SRC, layer) + path.sep));
const isBuiltin = (specifier: string) => specifier.startsWith('node:') || builtinModules.includes(specifier);

describe('architecture', () => {
  it('keeps the domain free of imports from outside itself', () => {
    expect(violations('domain', (_specifier, resolved) => inside(resolved, 'domain'))).toEqual([]);
  });

  it('keeps the application free of adapters and frameworks', () => {
    expect(
      violations(
        'application',
        (specifier, resolved) =>
          inside(resolved, 'domain', 'application') || specifier === 'inversify' || isBuiltin(specifier),
      ),
    ).toEqual([]);
  });

  it('notices a violation (the check itself works)', () => {
    expect(importsOf(path.join(SRC, 'container.ts'))).toEqual(
      expect.arrayContaining(['inversify', 'typeorm']),
    );
    expect(inside(path.join(SRC, 'adapters/http/app'), 'domain', 'application')).toBe(false);
  });
});
