// The layers of src/, top to bottom, written once: `npm run lint` (depcruise) fails on an import
// that points up or sideways. docs/architecture.md draws the same list; CONVENTIONS.md "Layout".
// A folder (or root file) may import its own files and any folder in a layer below its own; folders
// in one layer are siblings and never import each other. Where one folder of a layer needs another,
// the layer is split in two, the user above, and the reason is written beside it.
/** @type {[layer: string, rooms: string[]][]} */
const LAYERS = [
  ['entry points', ['main.ts', 'app.module.ts', 'app.setup.ts', 'cli']],
  ['features', ['account', 'admin', 'account-recovery', 'protected', 'health']],
  ['sign-in orchestration', ['auth']],
  ['ways in and second factors', ['mfa', 'identities', 'passkeys']],
  // mfa ends other sessions when the factor changes: mfa above sessions.
  ['what every way in ends with', ['sessions', 'tokens', 'passwords']],
  ['services', ['mail', 'rate-limit']],
  // Metrics count audit's kinds of login failure and limit.
  ['reporting: metrics', ['metrics']],
  ['reporting: audit', ['audit']],
  ['users', ['users']],
  // Infrastructure knows no feature. Server secrets live in the database; the exception filter
  // maps a database outage to 503; everything reads the config.
  ['infrastructure: secrets', ['secrets']],
  ['infrastructure: common', ['common']],
  ['infrastructure', ['database', 'redis', 'lifecycle']],
  // Background jobs (lifecycle's PeriodicJob) log failures through logging's redaction.
  ['infrastructure: logging', ['logging']],
  ['infrastructure: config', ['config']],
];

/** Entry points start the app and may use one another (main.ts calls app.setup.ts). */
const SIBLINGS_MAY_MEET = new Set(['entry points']);

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** `src/account/…` for a folder, `src/main.ts` for a root file. */
const pathOf = (room) =>
  room.endsWith('.ts') ? `^src/${escapeRegExp(room)}$` : `^src/${escapeRegExp(room)}/`;
const anyOf = (rooms) => rooms.map(pathOf).join('|');
const allRooms = LAYERS.flatMap(([, rooms]) => rooms);

const forbidden = LAYERS.flatMap(([layer, rooms], index) => {
  const above = LAYERS.slice(0, index).flatMap(([, upper]) => upper);
  return rooms.map((room) => {
    const siblings = SIBLINGS_MAY_MEET.has(layer) ? [] : rooms.filter((other) => other !== room);
    return {
      name: `layers: ${room}`,
      comment: `${room} (${layer}) imports only what is below its layer, never ${[...above, ...siblings].join(', ') || 'nothing above'}.`,
      severity: 'error',
      from: { path: pathOf(room) },
      to: { path: anyOf([...above, ...siblings]) },
    };
  });
}).filter((rule) => rule.to.path !== '');

forbidden.push(
  {
    name: 'layers: every folder has a layer',
    comment: 'A new folder of src/ goes into LAYERS in .dependency-cruiser.cjs (and the docs).',
    severity: 'error',
    from: { path: '^src/', pathNot: `${anyOf(allRooms)}|\\.spec\\.ts$` },
    to: { path: '^src/' },
  },
  {
    name: 'no-circular',
    comment: 'Import cycles break under ESM (a class is undefined while its module loads).',
    severity: 'error',
    from: {},
    // A type-only import is erased at compile time: it closes no cycle at run time.
    to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
  },
);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    // `import type` is a dependency too: an upward type import is still an upward import.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.(html|css|txt)$' },
  },
};
