// Type-aware linting (docs/architecture.md: the boundaries); Prettier owns formatting.
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', '.stack/'] },
  eslint.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message:
            'Read configuration through @app/config (loadConfig), the only reader of process.env.',
        },
        {
          selector:
            "CallExpression[callee.type='MemberExpression'][callee.object.name=/^(it|describe|test)$/][callee.property.name=/^(only|skip)$/]",
          message: 'No focused or skipped tests in the repository: a suite must run whole.',
        },
      ],
    },
  },
  {
    // The pure libraries: no sockets, no framework, no configuration (their callers map theirs).
    files: [
      'libs/contracts/**/*.ts',
      'libs/geo/**/*.ts',
      'libs/tension/**/*.ts',
      'libs/sanitization/**/*.ts',
      'libs/location/**/*.ts',
      'libs/geocoding/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['pg', 'pg-copy-streams', 'kafkajs', 'typeorm', '@app/config'].map((name) => ({
            name,
            message: 'A pure library takes no I/O, framework or configuration dependency.',
          })),
          patterns: [
            {
              group: ['@nestjs/*'],
              message: 'A pure library takes no I/O, framework or configuration dependency.',
            },
          ],
        },
      ],
    },
  },
  {
    // The demo, the benchmarks and the chaos run use an app through its public entry
    // (`apps/<app>/src/index.ts`), never its internals.
    files: ['infra/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/apps/*/src/**'],
              message: 'Import an app through its public entry, `apps/<app>/src` (its index.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    // The one reader of the environment, and the golden test's REGEN=1 switch.
    files: ['libs/config/src/config.loader.ts', 'libs/geo/test/golden.spec.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        jest: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
  },
  {
    // The map's page: a browser module served as it is, over the globals of MapLibre and oidc-client-ts.
    files: ['apps/analyst-api/map/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: {
        window: 'readonly',
        document: 'readonly',
        fetch: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URLSearchParams: 'readonly',
        Intl: 'readonly',
        HTMLElement: 'readonly',
        TextDecoderStream: 'readonly',
        maplibregl: 'readonly',
        oidc: 'readonly',
      },
    },
  },
  prettier,
);
