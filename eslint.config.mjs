// Flat config: typescript-eslint recommended + layer rules (who may import what; see README "Architecture").
import tseslint from 'typescript-eslint';

const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-e2e/**', 'media/**', '*.mjs', 'test/e2e/**/*.js', 'test-results/**', '.package/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', name: ['describe', 'it', 'test', 'before', 'after', 'beforeEach', 'afterEach'], package: 'node:test' }] }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      'no-console': 'error',
    },
  },
  { files: ['src/protocol/**/*.ts'], rules: restrict([{ group: ['vscode', 'node:*', '@tensorflow/*', 'sharp', '../core/*', '../engine/*', '../host/*'], message: 'src/protocol must stay dependency-free.' }]) },
  { files: ['src/core/**/*.ts'], rules: restrict([{ group: ['vscode', '**/engine/**', '**/host/**', '@tensorflow/*', 'sharp'], message: 'src/core runs anywhere: no vscode, engine or host imports.' }]) },
  { files: ['src/engine/**/*.ts'], rules: restrict([{ group: ['vscode', '**/host/**'], message: 'The engine runs in a child process without vscode.' }]) },
  { files: ['src/cli/**/*.ts'], rules: { ...restrict([{ group: ['vscode', '**/host/**'], message: 'The CLI must run without vscode.' }]), 'no-console': 'off' } },
  { files: ['webview/**/*.ts'], rules: restrict([{ group: ['vscode', 'node:*', '**/src/core/**', '**/src/engine/**', '**/src/host/**'], message: 'Webviews only see src/protocol.' }]) },
  { files: ['test/e2e/**/*.ts'], rules: { 'no-console': 'off' } },
  { files: ['test/unit/**/*.ts'], rules: restrict([{ group: ['vscode'], message: 'Unit tests never import vscode.' }]) },
);
