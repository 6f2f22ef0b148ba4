import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The rules ESLint reports for `code` as if it were a file at `filePath`. */
async function violations(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}${filePath}` });
  return result!.messages.map((m) => `${m.line}:${m.ruleId}`);
}

describe('the lint rule that keeps src/gate pure', () => {
  const probe = [
    "import type { Check } from '../sources/types';",
    "import { watch } from '../pipeline/watch';",
    "import { sentryChecks } from '../sources/sentry/checks';",
    "import { formatPercent } from '../format';",
    "import { readFileSync } from 'node:fs';",
    "import * as core from '@actions/core';",
    'export const used: unknown[] = [watch, sentryChecks, formatPercent, readFileSync, core, {} as Check];',
  ].join('\n');

  it('lets the core import the ports and nothing else from outside it', async () => {
    const rule = '@typescript-eslint/no-restricted-imports';
    expect(await violations('src/gate/probe.ts', probe)).toEqual([`2:${rule}`, `3:${rule}`, `4:${rule}`, `5:${rule}`, `6:${rule}`]);
  });

  it('does not restrict the folders around the core', async () => {
    expect(await violations('src/pipeline/probe.ts', probe)).toEqual([]);
  });
});
