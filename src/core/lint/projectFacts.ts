import { dirname, join, resolve } from 'node:path';
import { statOrMissing } from '../fsErrors';
import { UserError } from '../userError';

/** What the linter knows about the project around a file, beyond the file itself. */
export interface ProjectFacts {
  /**
   * Library packages the project holds as its own source (`keras_cv/__init__.py` in a keras-cv fork or checkout):
   * names in their namespace come from that local code, not from a release the linter's tables know.
   */
  localPackages: readonly string[];
}

/** The library packages a project may hold a copy of; only their namespaces are judged against release tables. */
const SHADOWED_PACKAGES = ['keras_cv', 'keras_hub'] as const;

/** Files or folders that mark a project's root: the search stops at the first folder holding one. */
const ROOT_MARKERS = ['.git', 'pyproject.toml', 'setup.py', 'setup.cfg'];

/** Whether a package file is there; a path component that is a file (`keras_cv` a plain file) means it is not. */
const isFile = (p: string): boolean => {
  try {
    return statOrMissing(p, 'the project file')?.isFile() ?? false;
  } catch (e) {
    if (e instanceof UserError && e.wire.code === 'E_PATH_NOT_FOLDER') return false;
    throw e;
  }
};
const exists = (p: string): boolean => statOrMissing(p, 'the project folder') !== null;

/**
 * The project facts of a file in `dir`: every folder from `dir` up to the project root (the first folder holding
 * `.git`, `pyproject.toml`, `setup.py` or `setup.cfg`), or up to `stopAt` (a workspace folder) when that comes
 * first, is searched for a package directory (`keras_cv/__init__.py`, `keras_hub/__init__.py`). Without a root
 * marker or `stopAt` only `dir` itself is searched, so a file in a loose folder never picks up a package from
 * somewhere above it. A path that cannot be looked at is a UserError naming it.
 */
export function findProjectFacts(dir: string, stopAt?: string): ProjectFacts {
  const stop = stopAt === undefined ? undefined : resolve(stopAt);
  const searched: string[] = [];
  let at = resolve(dir);
  let rootFound = false;
  for (;;) {
    searched.push(at);
    if (at === stop || ROOT_MARKERS.some((m) => exists(join(at, m)))) {
      rootFound = true;
      break;
    }
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  const folders = rootFound ? searched : searched.slice(0, 1);
  const localPackages = SHADOWED_PACKAGES.filter((pkg) => folders.some((f) => isFile(join(f, pkg, '__init__.py'))));
  return { localPackages };
}
