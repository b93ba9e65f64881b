import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, ensurePrivateFile, PRIVATE_FILE_MODE, type AppConfig } from '@app/config';

/**
 * The signing secret: AUTH_SECRET when set; otherwise (never in production, see loadConfig) one generated on
 * first start and kept beside the data, so that minted tokens keep working across restarts. Whoever reads it can
 * sign any token: the file is 0600 in a 0700 directory, and one an older version left open is tightened.
 */
export function resolveAuthSecret(config: AppConfig): string {
  if (config.authSecret) return config.authSecret;
  const file = join(config.dataDir, 'auth-secret');
  if (existsSync(file)) {
    ensurePrivateFile(file);
    return readFileSync(file, 'utf8').trim();
  }
  ensurePrivateDir(config.dataDir);
  const secret = randomBytes(48).toString('base64url');
  try {
    // 'wx': created with the mode, never over another process's file.
    writeFileSync(file, `${secret}\n`, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw error;
  }
  return secret;
}
