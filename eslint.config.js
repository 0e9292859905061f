// Lint with typescript-eslint's type-checked rules over everything TypeScript reads (tsconfig.test.json).
import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;
const SIMULATOR = path.join(root, 'src', 'simulator');
const CONTRACT = path.join(root, 'src', 'chorus', 'contract');
const inside = (file, dir) => file.startsWith(dir + path.sep);

/**
 * The simulator must be able to disagree with the client: it shares nothing with the client or the intake but
 * the contract definitions (checked against the official Swagger), and the contract depends on nothing else.
 * The service's own code never reaches into the simulator either; only scripts and tests wire the two together.
 */
const boundaryRule = {
  meta: {
    type: 'problem',
    messages: {
      simulator:
        'The simulator shares only src/chorus/contract with the client: {{target}} is client or intake code. Write the simulator its own.',
      contract: 'The contract depends on nothing but itself and zod: {{target}} is outside src/chorus/contract.',
      service:
        'Service code must not depend on the simulator ({{target}}): only scripts and tests wire the two together.',
    },
  },
  create(context) {
    const file = context.filename;
    const service =
      (inside(file, path.join(root, 'src')) || inside(file, path.join(root, 'workers'))) && !inside(file, SIMULATOR);
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), source);
      const shown = path.relative(root, target);
      if (inside(file, SIMULATOR) && !inside(target, SIMULATOR) && !inside(target, CONTRACT))
        context.report({ node, messageId: 'simulator', data: { target: shown } });
      else if (inside(file, CONTRACT) && !inside(target, CONTRACT))
        context.report({ node, messageId: 'contract', data: { target: shown } });
      else if (service && inside(target, SIMULATOR))
        context.report({ node, messageId: 'service', data: { target: shown } });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { project: ['./tsconfig.test.json'], tsconfigRootDir: root } },
    plugins: { boundaries: { rules: { 'simulator-shares-only-the-contract': boundaryRule } } },
    rules: {
      // Express knows an error handler by its four parameters; `_` marks a parameter kept for its place.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'boundaries/simulator-shares-only-the-contract': 'error',
      // Prettier wraps code at 120 columns but not comments; a sentence shown to users stays whole, so it can be
      // found with grep.
      'max-len': [
        'error',
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreUrls: true, ignoreRegExpLiterals: true },
      ],
    },
  },
  {
    // The simulator reads invoice files with other libraries than the intake, so that a misreading shows.
    files: ['src/simulator/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'saxes', message: 'The intake reads XML with it; the simulator uses xmlbuilder2.' },
            { name: 'fflate', message: 'The intake unzips with it; the simulator reads archives itself.' },
          ],
        },
      ],
    },
  },
  {
    // The relay reads the time from a clock handed in (src/shared/clock.ts): tests move it days ahead. The simulator
    // plays Chorus Pro and keeps its own clock (src/simulator/clock.ts).
    files: ['src/**/*.ts', 'workers/**/*.ts'],
    ignores: ['src/shared/clock.ts', 'src/simulator/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message:
            'Read the time from the clock handed in (deps.clock, clockOf(em)), or systemClock where an outside party compares it with its own.',
        },
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message:
            'Read the time from the clock handed in (deps.clock, clockOf(em)); measure durations with performance.now().',
        },
      ],
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
