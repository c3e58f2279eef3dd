// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'coverage/', 'bin/', 'dist/', '**/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Fastify plugins, hooks and handlers are async functions by contract (their promise signals that
      // they are done), whether or not they await anything.
      '@typescript-eslint/require-await': 'off',
    },
  },
  // Plain JavaScript config files have no types to check.
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
  // One place for shared test code: a suite imports from its own folder, test/helpers or test/fixtures,
  // never from another suite, so moving or deleting a suite cannot break a stranger's tests.
  {
    files: ['test/**/*.ts'],
    ignores: ['test/helpers/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(?!helpers/|fixtures/|\\.\\./)',
              message: 'Shared test code belongs in test/helpers/ (data in test/fixtures/).',
            },
          ],
        },
      ],
    },
  },
  // Migrations are frozen in time and typed Kysely<any> on purpose (Kysely's migration guide).
  {
    files: ['src/db/migrations/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
)
