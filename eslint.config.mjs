// ESLint flat config, as in jupyterlab/extension-template: typescript-eslint's recommended
// rules plus the React hooks rules, for the frontend sources and their Jest tests.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'lib/',
      'node_modules/',
      'notebook_skills/',
      'coverage/',
      'ui-tests/',
      '.venv/',
      'benchmarks/',
      'dist/',
      '**/*.d.ts',
      '*.config.js',
      'babel.config.js'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // `_`-prefixed arguments are deliberately unused (callbacks with a fixed signature)
      '@typescript-eslint/no-unused-vars': [
        'error',
        { args: 'none', varsIgnorePattern: '^_', caughtErrors: 'none' }
      ],
      // `namespace CommandIDs` / `namespace Private` is the JupyterLab idiom
      '@typescript-eslint/no-namespace': 'off',
      eqeqeq: ['error', 'smart'],
      curly: ['error', 'all'],
      // the transport is api.ts's: every other module calls the typed client
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['./request', '../request'],
              message: 'Import from ./api: only api.ts uses the transport.'
            }
          ]
        }
      ]
    }
  },
  {
    files: ['src/api.ts'],
    rules: { 'no-restricted-imports': 'off' }
  },
  {
    files: ['src/__tests__/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.jest, ...globals.node } }
  }
);
