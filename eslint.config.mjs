import {includeIgnoreFile} from '@eslint/compat'
import oclif from 'eslint-config-oclif'
import prettier from 'eslint-config-prettier'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const gitignorePath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '.gitignore')

export default [
  includeIgnoreFile(gitignorePath),
  // The project's code is src, test, bench, scripts and bin; examples/ is a stand-alone plugin a user copies, and
  // docs/ is prose.
  {ignores: ['examples/', 'docs/']},
  ...oclif,
  prettier,
  {
    rules: {
      // Order is meaning here (protocol fields in wire order, options as documented): no alphabetical sorting.
      'perfectionist/sort-objects': 'off',
      'perfectionist/sort-interfaces': 'off',
      'perfectionist/sort-classes': 'off',
      'perfectionist/sort-object-types': 'off',
      'perfectionist/sort-switch-case': 'off',
      'perfectionist/sort-union-types': 'off',
      'perfectionist/sort-sets': 'off',
      'perfectionist/sort-intersection-types': 'off',
      'perfectionist/sort-named-exports': 'off',
      // Error codes and the wire/--json field names are snake_case by contract (docs/json-events.schema.json).
      camelcase: ['error', {properties: 'never', ignoreDestructuring: true}],
      // Sequential awaits are the point: frames and handshakes in order, tests waiting on one event after another.
      'no-await-in-loop': 'off',
      // Byte-level code (Noise, framing, hashes, seeded random) needs the bit operators.
      'no-bitwise': 'off',
      // `void promise` marks a fire-and-forget promise on purpose (STYLE.md, concurrency).
      'no-void': ['error', {allowAsStatement: true}],
      // The engine's typed events are Node EventEmitters (STYLE.md: TypedEventEmitter), awaited with events.once.
      'unicorn/prefer-event-target': 'off',
      // An explicit `undefined` says "no value" for a typed parameter or return; its fixer's removals broke the types.
      'unicorn/no-useless-undefined': 'off',
      // It flags arrows that use `this` in a method and helpers kept beside the one suite or method that uses them.
      'unicorn/consistent-function-scoping': 'off',
      // Sanitizers and validators match control characters on purpose: that is their job.
      'no-control-regex': 'off',
      // Loop conditions here change across awaits (callbacks set them), which the rule cannot see.
      'no-unmodified-loop-condition': 'off',
      // UTF-16 code units are meant where charCodeAt is used: surrogate checks, \\u escapes, a stable colour hash.
      'unicorn/prefer-code-point': 'off',
      // As jsdoc/require-returns (off in oclif's config): the type says what is yielded, the sentence says which.
      'jsdoc/require-yields': 'off',
      // It cannot resolve a {@link} to a re-exported name or a method, which TypeScript's editors do.
      'jsdoc/no-undefined-types': 'off',
      // A spread copy is a snapshot on purpose (callbacks that change the set being walked); a string spread splits
      // code points. Its fixer removed such copies.
      'unicorn/no-useless-spread': 'off',
      // A test file may hold one top-level suite per unit of the module it covers.
      'mocha/max-top-level-suites': 'off',
    },
  },
  {
    files: ['test/helpers/**'],
    rules: {
      // Helpers are modules for the specs, not specs: they export, and register hooks in the suite that calls them.
      'mocha/no-exports': 'off',
      'mocha/no-top-level-hooks': 'off',
    },
  },
  {
    files: ['test/**'],
    rules: {
      // fc.property takes one parameter per arbitrary, and a mocha test nests callbacks by nature.
      'max-params': 'off',
      'max-nested-callbacks': 'off',
    },
  },
  {
    files: ['bench/**', 'src/history/writer-process.ts'],
    rules: {
      // Stand-alone programs (the bench's scripts, the forked history writer) own their process and its exit code.
      'n/no-process-exit': 'off',
      'unicorn/no-process-exit': 'off',
    },
  },
]
