/**
 * The layer rules the code keeps, checked on every `npm test` (`npm run lint:deps`).
 * Paths are the files as they are on disk; `@app/*` imports resolve through tsconfig.json's paths.
 * @type {import('dependency-cruiser').IConfiguration}
 */
const SPEC_OR_TESTING = '(\\.spec\\.ts$|/testing/)';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle between modules makes the order of initialisation an accident.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      comment:
        'libs/proposals is the domain: decide/evolve, events, rules. It imports no other lib of the project, no ' +
        'framework and nothing that does I/O; the clock, ids and other streams come in as arguments.',
      severity: 'error',
      from: { path: '^libs/proposals/src/', pathNot: SPEC_OR_TESTING },
      to: { pathNot: '^libs/proposals/src/' },
    },
    {
      name: 'nest-only-at-the-edges',
      comment:
        'Only the apps, libs/runtime (the wiring) and the CQRS adapter (command-handlers.ts) know NestJS; the ' +
        'domain, the stores, the projections and the reporting are plain TypeScript any job can use.',
      severity: 'error',
      from: {
        pathNot: [
          '^apps/',
          '^libs/runtime/',
          '^libs/command-handling/src/command-handlers\\.ts$',
          '^test/',
          '^bench/',
          SPEC_OR_TESTING,
        ],
      },
      to: { path: '(^|/)node_modules/@nestjs/' },
    },
    {
      name: 'read-side-apart-from-the-command-path',
      comment:
        'Projections and reporting read events and read models; they never import the write side\'s command path. ' +
        'What both need (stream names, the metadata shape, the codec) lives in libs/proposals.',
      severity: 'error',
      from: { path: '^libs/(projections|reporting)/src/', pathNot: SPEC_OR_TESTING },
      to: { path: '^libs/command-handling/' },
    },
    {
      name: 'no-test-code-in-the-build',
      comment: 'Test helpers live under a lib\'s src/testing/ (left out of the build); production code never imports them.',
      severity: 'error',
      from: { path: '^(apps|libs)/', pathNot: SPEC_OR_TESTING },
      to: { path: ['/testing/', '\\.spec\\.ts$', '^test/'] },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|bench/peers)/' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
