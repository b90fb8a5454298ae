/**
 * The secret key when ONDECK_SECRET_KEY is not set: generated once, kept beside the database in
 * a file only its owner can read (0600), and reused on every start so device tokens survive a
 * restart.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function secretKeyFile(db: string): string {
  return `${db}.secret`;
}

export function loadOrCreateSecretKey(file: string): { key: string; created: boolean } {
  try {
    const key = readFileSync(file, 'utf8').trim();
    if (key.length >= 16) {
      // Tighten a file someone loosened: the key signs every device token.
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
      return { key, created: false };
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dirname(file), { recursive: true });
  const key = randomBytes(32).toString('base64url');
  // 'wx' fails if another process created it meanwhile; then use theirs.
  try {
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { key: readFileSync(file, 'utf8').trim(), created: false };
    throw err;
  }
  return { key, created: true };
}
