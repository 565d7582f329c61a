// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const globals = require('globals');

const AZURERM_ROOT = {
  name: '@cdktf/provider-azurerm',
  message: 'Import each resource by deep path (@cdktf/provider-azurerm/lib/<resource>): the package root costs ~7 s and ~420 MB.',
};

/** A relative import of another top-level area (folder), at any depth: `../infra/x`, `../../infra`. */
const area = (names) => `^(\\.\\./)+(${names.join('|')})(/|$)`;

/** Every area's scripts are its own entry points: nobody else imports them (shared tooling lives in lib/). */
const OTHER_AREAS_SCRIPTS = {
  regex: '^(\\.\\./)+[a-z-]+/scripts(/|$)',
  message: "Another area's scripts/ are its entry points, not a library: move what you need to lib/.",
};

/**
 * The layers point one way (CONVENTIONS.md, habit 11): the app knows no IaC; infra/ and k8s/
 * read the platform model and the app's contract, never each other; the platform model reads
 * only the app's contract; lib/ is shared tooling that knows no area. Each entry: files, the
 * areas they may not import, and why. Cross-layer checks (deploy-model/, pipelines/ tests,
 * platform/test) and shared test helpers (test-helpers/) may read every layer.
 */
const BOUNDARIES = [
  {
    files: ['app/**/*.ts'],
    forbidden: ['infra', 'k8s', 'monitoring', 'platform', 'deploy-model', 'pipelines', 'test-helpers'],
    why: 'The app knows no infrastructure: k8s/ and infra/ read its contract (app/src/app-contract.ts), not the other way round.',
  },
  {
    files: ['k8s/**/*.ts'],
    // test-helpers/synth-helpers synthesizes infra/'s stacks: checks that need both live in deploy-model/.
    forbidden: ['infra', 'deploy-model', 'pipelines', 'test-helpers/synth-helpers'],
    why:
      'k8s/ never imports infra/, directly or through test-helpers/synth-helpers: both read the platform model (platform/) and the app contract; ' +
      'checks that need both live in deploy-model/.',
  },
  {
    files: ['infra/**/*.ts'],
    forbidden: ['k8s', 'deploy-model', 'pipelines'],
    why: 'infra/ never imports k8s/: both read the platform model (platform/) and the app contract; shared test helpers live in test-helpers/.',
  },
  {
    files: ['monitoring/**/*.ts'],
    forbidden: ['infra', 'k8s', 'deploy-model', 'pipelines'],
    why: 'monitoring/ constructs are used by infra/ and read the platform model; they import neither infra/ nor k8s/ (tests use test-helpers/).',
  },
  {
    files: ['platform/**/*.ts'],
    ignores: ['platform/test/**'],
    forbidden: ['infra', 'k8s', 'monitoring', 'deploy-model', 'pipelines', 'test-helpers'],
    why: 'The platform model is what every layer reads; it reads only the app contract.',
  },
  {
    files: ['ops/**/*.ts'],
    forbidden: ['infra', 'k8s', 'monitoring', 'deploy-model', 'pipelines', 'test-helpers'],
    why:
      'ops/ runs the other areas through their npm scripts (as the pipeline does), ' +
      'so it imports only the platform model, lib/ and the app contract.',
    // Of the app, only its contract: pipelines/*.yml are read as files (ops/pipeline-settings.ts), never imported.
    extra: [
      {
        regex: '^(\\.\\./)+app/(?!src/app-contract$)',
        message: 'ops/ may read only the app contract (app/src/app-contract), not the app itself: it runs the app through its npm scripts.',
      },
    ],
  },
  {
    files: ['lib/**/*.ts'],
    ignores: ['lib/test/**'],
    forbidden: ['app', 'infra', 'k8s', 'monitoring', 'platform', 'deploy-model', 'pipelines', 'test-helpers'],
    why: 'lib/ is shared tooling: it knows no area.',
  },
];

const boundaryRules = BOUNDARIES.map(({ files, ignores, forbidden, why, extra = [] }) => ({
  files,
  ...(ignores ? { ignores } : {}),
  rules: {
    'no-restricted-imports': [
      'error',
      { paths: [AZURERM_ROOT], patterns: [{ regex: area(forbidden), message: why }, OTHER_AREAS_SCRIPTS, ...extra] },
    ],
  },
}));

module.exports = tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'cdktf.out/', '.gen/', 'coverage/', 'test-results/', 'data/', 'reports/', '.stryker-tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [AZURERM_ROOT], patterns: [OTHER_AREAS_SCRIPTS] }],
    },
  },
  ...boundaryRules,
  {
    // Type-aware rules that catch real mistakes: a promise nobody awaits (an unhandled
    // rejection, or work that silently never finishes before a response), a promise passed
    // where a callback's result is ignored, `await` on something that is not a promise.
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unnecessary-condition': 'error',
    },
  },
  {
    // Tests and the deploy model read synthesized Terraform JSON and manifests, which have no types.
    files: ['**/test/**/*.ts', 'deploy-model/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node, ...globals.browser } },
    rules: { 'no-control-regex': 'off', 'no-var': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: { ...globals.node } },
  },
);
