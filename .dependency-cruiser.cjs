/** Layer rules of DESIGN.md, checked on every `npm test`. */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      comment: 'domain imports nothing outside domain (node builtins and inversify types aside)',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: ['^src/domain/', '^node:', 'node_modules/inversify', 'node_modules/@inversifyjs'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'application-imports-domain-only',
      severity: 'error',
      from: { path: '^src/application/' },
      to: { path: '^src/(infrastructure|providers|shared|plugin)/|^src/(container|main)\\.ts$' },
    },
    {
      name: 'shared-is-a-leaf',
      comment: 'src/shared holds what both adapter layers need and no layer owns (chunk, SQLite connection setup): it imports nothing of src',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { path: '^src/', pathNot: '^src/shared/' },
    },
    {
      name: 'plugin-api-is-types',
      comment: 'src/plugin is the published provider plugin API (docs/providers.md): domain types, zod types and one constant',
      severity: 'error',
      from: { path: '^src/plugin/' },
      to: { pathNot: ['^src/plugin/', '^src/domain/', 'node_modules/zod'] },
    },
    {
      name: 'infrastructure-not-providers',
      severity: 'error',
      from: { path: '^src/infrastructure/' },
      to: { path: '^src/providers/|^src/(container|main)\\.ts$' },
    },
    {
      name: 'providers-not-infrastructure',
      severity: 'error',
      from: { path: '^src/providers/' },
      to: { path: '^src/infrastructure/|^src/(container|main)\\.ts$' },
    },
    {
      name: 'providers-independent',
      comment: 'one cloud never imports another',
      severity: 'error',
      from: { path: '^src/providers/([^/]+)/' },
      to: { path: '^src/providers/', pathNot: '^src/providers/$1/' },
    },
    {
      name: 'client-is-light',
      comment: 'the scripts\' client of `hostfactory serve` (src/client) loads node builtins, the shared protocol and the dir resolution, nothing else',
      severity: 'error',
      from: { path: '^src/client/' },
      to: { pathNot: ['^src/client/', '^src/shared/hostfactory-protocol\\.ts$', '^src/infrastructure/config/runtime-settings\\.ts$', '^node:'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'only-root-binds',
      comment: 'nobody imports the composition root but main.ts',
      severity: 'error',
      from: { pathNot: '^src/main\\.ts$' },
      to: { path: '^src/container\\.ts$' },
    },
    {
      name: 'no-sdk-outside-adapters',
      comment: 'the AWS SDK lives in the aws provider and the DynamoDB store only',
      severity: 'error',
      from: { pathNot: ['^src/providers/aws/', '^src/infrastructure/storage/dynamodb/', '^src/container\\.ts$'] },
      to: { path: 'node_modules/@aws-sdk/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.json'] },
  },
};
