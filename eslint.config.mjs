// @ts-check
import tseslint from 'typescript-eslint';

/** SDKs of infrastructure: only providers (the SSH toolkit for ssh2, src/backup for the S3 client) may load them. */
const SDKS = ['dockerode', 'docker-modem', 'ssh2', 'fly-admin', '@aws-sdk/*'];
const sdk = (message) => ({ group: SDKS, message });
const vscode = { name: 'vscode', message: 'Only src/vscode and src/extension.ts may import vscode.' };


/** The layers (docs/architecture.md): each folder imports only from the layers below it. */
const layers = [
  {
    files: ['src/core/**/*.ts'],
    paths: [vscode],
    patterns: [
      { group: ['**/providers', '**/providers/**', '**/vscode/**', '**/ssh/**', '**/cli/**', '**/backup', '**/backup/**', '**/extension'], message: 'The core knows no front end, provider, SSH toolkit or backup store.' },
      sdk('The core imports no SDK: providers do.'),
    ],
  },
  {
    files: ['src/ssh/**/*.ts'],
    paths: [vscode],
    patterns: [{ group: ['**/providers', '**/providers/**', '**/vscode/**', '**/cli/**', '**/extension'], message: 'The SSH toolkit builds on the core only.' }],
  },
  {
    files: ['src/backup/**/*.ts'],
    paths: [vscode],
    patterns: [{ group: ['**/providers', '**/providers/**', '**/vscode/**', '**/ssh/**', '**/cli/**', '**/extension'], message: 'Backup storage builds on the core only.' }],
  },
  {
    files: ['src/providers/*/**/*.ts'],
    paths: [vscode],
    patterns: [
      { group: ['**/vscode/**', '**/cli/**', '**/extension'], message: 'Providers know the core and the SSH toolkit, no front end.' },
      // dockerEngine/ is no provider: the Docker Engine API client the docker and swarm providers share.
      { regex: '^\\.\\./(?!\\.\\.|dockerEngine/)[^/]+', message: 'Providers do not import each other (they share src/providers/dockerEngine).' },
    ],
  },
  {
    files: ['src/cli/**/*.ts'],
    paths: [vscode],
    patterns: [
      { regex: '/providers/[^/]+/', message: 'The CLI reaches a provider only through its registration (src/providers/<type>/index.ts or builtin.ts).' },
      { regex: '/backup/', message: 'The CLI reaches backup storage only through src/backup/index.ts, which loads the S3 client on first use.' },
      { group: ['**/vscode/**', '**/extension'], message: 'The CLI knows no other front end.' },
      sdk('The CLI imports no SDK: it goes through the core and the providers.'),
    ],
  },
  {
    files: ['src/vscode/**/*.ts'],
    paths: [],
    patterns: [
      { regex: '/providers/[^/]+/', message: "The UI reaches a provider only through its registration (src/providers/<type>/index.ts or builtin.ts), never its internals." },
      { regex: '/backup/', message: 'The UI reaches backup storage only through src/backup/index.ts, which loads the S3 client on first use.' },
      { group: ['**/cli/**'], message: 'The UI knows no other front end.' },
      sdk('The UI imports no SDK: it goes through the core and the providers.'),
    ],
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.test-artifacts/**', '*.vsix'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  // CommonJS scripts (the activation bench's child process and vscode stub) load modules with require by nature.
  { files: ['**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          // A named import makes esbuild keep zod's whole namespace (every locale, JSON Schema): ~20 ms more activation.
          selector: "ImportDeclaration[source.value='zod'] > ImportSpecifier",
          message: "Import zod as a namespace: import * as z from 'zod'.",
        },
      ],
    },
  },
  ...layers.map(({ files, paths, patterns }) => ({ files, rules: { 'no-restricted-imports': ['error', { paths, patterns }] } })),
);
