import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'kiosk-ui/dist/**', 'test-artifacts/**', 'coverage/**', '.build/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', fetch: 'readonly', document: 'readonly', window: 'readonly', localStorage: 'readonly', WebSocket: 'readonly', AbortController: 'readonly', performance: 'readonly', setImmediate: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
      'no-control-regex': 'off',
    },
  },
  // The layers (README, Layout): drivers/ sits below src/, and src/ reaches devices through
  // drivers/contracts.ts (plus the registry that builds them and the pure protocols/ and support/).
  {
    files: ['drivers/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+src/', message: 'drivers/ imports nothing from src/: move what both need to drivers/protocols/ or drivers/support/.' }] }] },
  },
  {
    // Protocols and helpers are pure modules below the drivers themselves.
    files: ['drivers/protocols/**/*.ts', 'drivers/support/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { regex: '^(\\.\\./)+src/', message: 'drivers/ imports nothing from src/.' },
        { regex: '/(lifecycle|driver|registry)\\.ts$|/(barcode|printer|scanner)/', message: 'protocols/ and support/ are below the drivers: they may use contracts.ts types, never a driver.' },
      ] }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '/drivers/(?!contracts\\.ts$|registry\\.ts$|protocols/|support/)', message: 'src/ uses devices through drivers/contracts.ts; declare a capability there instead of importing a driver.' }] }] },
  },
);
