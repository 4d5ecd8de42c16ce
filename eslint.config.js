// The linter, run by `npm run lint` (part of `npm test`). Type-aware: it reads
// tsconfig.eslint.json, which is tsconfig.json plus the JavaScript files
// (bin/, the bench scripts, the configs), so a promise left floating in a
// bench script is caught as in src/.
//
// Non-null assertions (`x!`) are refused in src/. Those that were there when the
// rule came in are counted, file by file, in eslint-suppressions.json (with six
// String() calls on column values narrowed from unknown, no-base-to-string): a
// file may lose them, never gain one. After removing some, `npm run lint:prune`
// lowers the counts (lint fails until then, so the allowance cannot be reused).
import { defineConfig } from 'eslint/config';
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default defineConfig(
  { ignores: ['dist/', 'coverage/', '.bench/', 'drizzle/meta/'] },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.eslint.json', tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        // A `default:` that handles "anything else" on purpose is allowed; a switch
        // over a union without one must name every member.
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/no-non-null-assertion': 'error',
      // An async function without await is how a function that must return a promise (a
      // command, an interface's method) turns what it throws into a rejection.
      '@typescript-eslint/require-await': 'off',
      // `_` names a value left out on purpose (`const { a: _, ...rest } = row`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['test/**'],
    rules: {
      // Tests read the CLI's JSON output and rows from the driver (`any`) and
      // assert on them with expect(): a wrong shape fails the assertion, so the
      // unsafe-any family would only add casts to every line of a test.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // In a test, `found!` on a value the test has just put there fails the test
      // with a TypeError if it is absent: the test is the check.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: {
      // Plain JavaScript has no types to be unsafe against: everything it imports is `any`.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // CommonJS configs (.dependency-cruiser.cjs) use require().
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
);
