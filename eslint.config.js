// Lint with typescript-eslint's type-checked rules over everything TypeScript reads (tsconfig.test.json).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { project: ['./tsconfig.test.json'], tsconfigRootDir: import.meta.dirname } },
    // Express knows an error handler by its four parameters; `_` marks a parameter kept for its place.
    rules: { '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }] },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
);
