import js from '@eslint/js';
import globals from 'globals';
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';

/** Who may import whom (DESIGN.md "Processes and folders"). */
const PACKAGES = {
  core: '@gridline/core',
  prisma: '@gridline/db',
  server: '@gridline/server',
  workers: '@gridline/workers',
  web: '@gridline/web',
};
const IO_MODULES = [
  'node:fs',
  'node:fs/promises',
  'node:net',
  'node:http',
  'node:child_process',
  'fs',
  'net',
  'http',
  'pg',
  'ioredis',
  'bullmq',
  'express',
  'socket.io',
  '@prisma/client',
];

function boundary(folder, allowed, extra = []) {
  const forbidden = Object.entries(PACKAGES)
    .filter(([name]) => name !== folder && !allowed.includes(name))
    .map(([name, pkg]) => ({ name, pkg }));
  return {
    files: [`${folder}/**/*.{ts,js,svelte}`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...forbidden.map(({ name, pkg }) => ({
              name: pkg,
              message: `${folder}/ may not import ${name}/ (see ARCHITECTURE.md)`,
            })),
            ...extra.map((name) => ({ name, message: `${folder}/ does no I/O` })),
          ],
          patterns: forbidden.map(({ name }) => ({
            group: [`**/${name}/src/**`, `../${name}/**`, `../../${name}/**`],
            message: `${folder}/ may not reach into ${name}/`,
          })),
        },
      ],
    },
  };
}

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/build/**',
      '**/build-*/**',
      '**/.svelte-kit-*/**',
      '**/.svelte-kit/**',
      'prisma/src/generated/**',
      'prisma/migrations/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
    },
  },
  {
    files: ['web/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  boundary('core', [], IO_MODULES),
  boundary('prisma', ['core']),
  boundary('server', ['core', 'prisma']),
  boundary('workers', ['core', 'prisma']),
  boundary('web', ['core'], ['pg', 'ioredis', 'bullmq', 'express', '@prisma/client']),
);
