// npm run lint. typescript-eslint's recommended rules, type-aware over the TypeScript (the project
// service reads tsconfig.json once: about half a minute for the whole tree on one core), plain over
// the JavaScript (public/ is checked by tsc through its // @ts-check instead).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', 'bench/peers/node_modules/', 'test/**/screenshots/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  {
    rules: {
      // Off: every control character in a pattern here is there on purpose, to refuse or strip it
      // (message bodies, room names, file names, headers); the rule guards against accidents only.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: { allowDefaultProject: ['vitest.config.ts'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      // `_name` marks what is unused on purpose (a destructured field left out, a required parameter).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['public/**/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'module' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ignores: ['public/**'],
    languageOptions: { globals: globals.node },
  },
);
