import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project's folder, the one with `package.json`. Ponte runs from `src/` (tsx, in
 * development and tests) or compiled from `dist/src/` (`npm run build`, the image); the files
 * it reads at run time (languages, migrations, the inbox's assets) stay in the project, so
 * both find them from here.
 */
function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const projectRoot = findProjectRoot(dirname(fileURLToPath(import.meta.url)));

/** A path inside the project. */
export const projectPath = (...parts: string[]) => join(projectRoot, ...parts);
