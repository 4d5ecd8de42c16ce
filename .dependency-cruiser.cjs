/**
 * The floors of src/, checked by `npm run check:structure` (part of `npm test`).
 * A folder may import its own files and the floors below it, never one beside
 * or above it; no cycle at all, not even of types; the domain imports nothing
 * of the project and no I/O.
 */

/** From the top down; folders on one line share a floor and do not import each other. */
const FLOORS = [
  ['cli'],
  ['commands'],
  ['recording'],
  ['import'],
  ['outputs', 'terminal'],
  ['csv', 'storage'],
  ['domain'],
];

const floorOf = (folder) => FLOORS.findIndex((floor) => floor.includes(folder));

const upOrSideways = FLOORS.flat()
  .map((folder) => {
    const notBelow = FLOORS.flat().filter((other) => other !== folder && floorOf(other) <= floorOf(folder));
    return {
      name: `${folder}-looks-down-only`,
      comment: `src/${folder}/ may import only the floors below it`,
      severity: 'error',
      from: { path: `^src/${folder}/` },
      to: { path: `^src/(${notBelow.join('|')})/` },
    };
  })
  .filter((rule) => !rule.to.path.endsWith('()/'));

module.exports = {
  forbidden: [
    ...upOrSideways,
    {
      name: 'no-cycles',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      comment: 'the rules, vocabulary, catalogue and layout do no I/O: only hashing and canonical JSON',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { dependencyTypes: ['core', 'npm'], pathNot: ['^crypto$', 'node_modules/canonicalize/'] },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      from: { orphan: true, path: '^src/', pathNot: '\\.d\\.ts$' },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
