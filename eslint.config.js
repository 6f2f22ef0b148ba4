import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', '.build/', '.tools/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      // Both keep the action's peak memory under 90 MiB (bench/RESULTS.md): zod's
      // `z` export drags in every locale, and undici's root loads fetch,
      // WebSocket and the cache layer the client never uses.
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='zod'][importKind!='type'] > ImportSpecifier[imported.name='z'][importKind!='type']",
          message: "Use `import * as z from 'zod'`: the named `z` export bundles every locale.",
        },
      ],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'undici',
              message: 'Import the undici files the client uses (see src/http/client.ts): the root loads all of undici.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    // The core is pure: maths and the decision on observations. It may import
    // itself and the ports (src/sources/types.ts), nothing that does I/O, reads
    // the clock, knows a source, or writes words for people.
    files: ['src/gate/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../*', '!../sources', '../sources/*', '!../sources/types'],
              message:
                'src/gate is the pure core: it imports only itself and the ports (../sources/types). Clock, I/O, sources, reports and words belong outside it.',
            },
            {
              group: [
                'node:*',
                'fs',
                'fs/*',
                'path',
                'http',
                'https',
                'net',
                'child_process',
                'timers',
                'timers/*',
                '@actions/*',
                'undici',
                'undici/*',
                'p-retry',
                'zod',
                'yaml',
              ],
              message: 'src/gate is the pure core: no I/O, no Node built-ins, no Actions toolkit, no schemas.',
            },
          ],
        },
      ],
    },
  },
);
