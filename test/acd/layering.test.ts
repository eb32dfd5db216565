import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../acd');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('layering', () => {
  it('nothing in acd/ imports another project folder or Node I/O, and the engine has no timers of its own', () => {
    const files = tsFiles(root);
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
        const spec = m[1]!;
        const where = `${relative(root, file)} imports ${spec}`;
        if (spec.startsWith('.')) expect(resolve(dirname(file), spec).startsWith(root + '/'), where).toBe(true);
        else expect.fail(`${where}: acd/ may import only its own files`);
      }
      expect(text, `${relative(root, file)} uses a timer`).not.toMatch(/\b(setTimeout|setInterval|setImmediate)\s*\(/);
      expect(text, `${relative(root, file)} reads the clock`).not.toMatch(/\b(Date\.now|performance\.now|process\.hrtime)\b/);
    }
  });
});
