/** Where confabd keeps its files (XDG Base Directory Specification). */
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface Paths {
  readonly dataDir: string;
  readonly configFile: string;
}

export function resolvePaths(env: NodeJS.ProcessEnv = process.env): Paths {
  const home = env.HOME || homedir();
  const dataHome = env.XDG_DATA_HOME || join(home, '.local', 'share');
  const configHome = env.XDG_CONFIG_HOME || join(home, '.config');
  return {
    dataDir: env.CONFAB_DATA_DIR || join(dataHome, 'confab'),
    configFile: env.CONFAB_CONFIG || join(configHome, 'confab', 'confabd.json'),
  };
}
