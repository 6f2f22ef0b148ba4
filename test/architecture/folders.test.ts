import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { folderCycles, folderGraph, specifiers } from './imports';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

describe('folder imports', () => {
  it('no folder of src/ imports another that imports it back (directly or through others)', () => {
    const graph = folderGraph(SRC);
    const cycles = folderCycles(graph).map((path) => path.map((f, i) => (i + 1 < path.length ? `${f} (${graph.get(f)!.get(path[i + 1]!)})` : f)).join(' → '));
    expect(cycles).toEqual([]);
  });

  it('the core (src/gate) imports only itself and the ports', () => {
    const gate = [...(folderGraph(SRC).get('gate')?.keys() ?? [])];
    expect(gate.filter((f) => f !== 'sources/types')).toEqual([]);
  });

  it('finds a cycle when there is one, and reads every kind of import', () => {
    const graph = new Map([
      ['gate', new Map([['report', 'gate/decide.ts']])],
      ['report', new Map([['format', 'report/summary.ts']])],
      ['format', new Map([['gate', 'format/index.ts']])],
      ['sources', new Map([['gate', 'sources/x.ts']])],
    ]);
    expect(folderCycles(graph)).toEqual([['format', 'gate', 'report', 'format']]);
    const text =
      "import a from './a';\nimport type { B } from \"../b\";\nexport { c } from './c';\nimport './d';\nconst e = await import('./e');\nimport {\n  f,\n} from '../f';";
    expect(specifiers(text).sort()).toEqual(['../b', '../f', './a', './c', './d', './e']);
  });
});
