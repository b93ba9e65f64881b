import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * DATA_DIR holds every proposal's events (withheld answers included), the read models and the signing secret:
 * only the service's own user may read it. The directory is 0700 and its files 0600, whatever the umask; ones an
 * older version left more open are tightened when the process opens them.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** The files SQLite keeps beside a database; they are created with the database file's mode. */
const SQLITE_COMPANIONS = ['-wal', '-shm', '-journal'];

/**
 * Removes the permission bits `mode` does not allow (0755 → 0700, 0644 → 0600; 0400 stays). Only on what this
 * user owns, and never on a shared sticky directory such as /tmp (a DATA_DIR of /tmp/x tightens x, not /tmp).
 */
function tighten(path: string, mode: number): void {
  const uid = process.getuid?.();
  if (uid === undefined) return; // Windows: no POSIX modes
  const st = statSync(path);
  const current = st.mode & 0o7777;
  if ((current & ~mode & 0o777) === 0) return;
  if (st.uid !== uid || (st.isDirectory() && (current & 0o1000) !== 0)) {
    process.emitWarning(`${path} is readable by other users (mode ${current.toString(8)}) and not ours to tighten`, 'PrivateFileWarning');
    return;
  }
  chmodSync(path, current & mode);
}

/** Creates `dir` (and missing parents) 0700, or tightens it if it exists. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  tighten(dir, PRIVATE_DIR_MODE);
}

/**
 * Makes `path` a private file before anything opens it: its directory 0700, the file created empty 0600 if absent
 * (SQLite would create it 0644 and give its -wal and -shm files the same mode), or tightened if it exists, and so
 * are SQLite's companion files already there.
 */
export function ensurePrivateFile(path: string): void {
  ensurePrivateDir(dirname(path));
  try {
    closeSync(openSync(path, 'wx', PRIVATE_FILE_MODE));
  } catch (error) {
    // It exists (maybe read-only): only its mode is ours to fix.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    tighten(path, PRIVATE_FILE_MODE);
  }
  for (const suffix of SQLITE_COMPANIONS) if (existsSync(`${path}${suffix}`)) tighten(`${path}${suffix}`, PRIVATE_FILE_MODE);
}
