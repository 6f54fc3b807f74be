import { lstatSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { dirname, parse, resolve, sep } from 'node:path';
import { UserError } from './userError';

/** What was being done to the path, for the message: "cannot read the weights file: …". */
export type FsOp = 'read' | 'write' | 'list' | 'create' | 'open';

interface Problem {
  code: string;
  problem: string;
  hint: string;
}

const PERMISSION: Omit<Problem, 'hint'> = { code: 'E_PATH_PERMISSION', problem: 'permission denied' };

/**
 * Node's file-system error codes, as a user would say them. Codes are ours (`E_PATH_*`), never Node's: the user sees
 * what happened and what to do, not "EISDIR: illegal operation on a directory, read".
 */
function describe(code: string, op: FsOp, path: string): Problem | null {
  switch (code) {
    case 'ENOENT':
      return { code: 'E_PATH_NOT_FOUND', problem: 'it does not exist', hint: 'Check the path (relative paths start at the current folder).' };
    case 'EISDIR':
      return { code: 'E_PATH_IS_FOLDER', problem: 'it is a folder, not a file', hint: 'Give the file inside the folder, or replace the folder with the file.' };
    case 'ENOTDIR': {
      const broken = brokenComponent(path);
      const itself = broken === resolve(path);
      return {
        code: 'E_PATH_NOT_FOLDER',
        problem: itself ? 'it is a file, not a folder' : broken ? `${broken} is a file, not a folder` : 'a component of the path is a file, not a folder',
        hint: itself ? 'Give a folder here, not a file.' : 'A folder on the way to it is a file: fix the path, or restore the folder.',
      };
    }
    case 'EACCES':
    case 'EPERM':
      return {
        ...PERMISSION,
        hint: op === 'write' || op === 'create'
          ? 'Choose a folder you can write to, or change its permissions (ls -ld shows them).'
          : 'Make it readable by this user, and its folders searchable (ls -ld shows the permissions of each).',
      };
    case 'ELOOP':
      return { code: 'E_PATH_LINK_LOOP', problem: 'a symbolic link in the path points back to itself (a link loop)', hint: 'Fix or remove the link (ls -l shows where each link points).' };
    case 'EMFILE':
    case 'ENFILE':
      return { code: 'E_TOO_MANY_OPEN_FILES', problem: 'too many files are open', hint: 'Raise the limit (ulimit -n 4096) or close other programs, then run again.' };
    case 'ENAMETOOLONG':
      return { code: 'E_PATH_TOO_LONG', problem: 'the path is too long for the file system', hint: 'Move it to a shorter path.' };
    case 'ENOSPC':
    case 'EDQUOT':
      return { code: 'E_DISK_FULL', problem: code === 'EDQUOT' ? 'the disk quota is exceeded' : 'no space is left on the device', hint: 'Free some space, or choose another folder.' };
    case 'EROFS':
      return { code: 'E_READ_ONLY', problem: 'the file system is read-only', hint: 'Choose a folder on a writable disk.' };
    case 'EEXIST':
      return { code: 'E_PATH_EXISTS', problem: 'it already exists', hint: 'Choose another name, or remove it first.' };
    case 'ENOTEMPTY':
      return { code: 'E_PATH_EXISTS', problem: 'the folder is not empty', hint: 'Choose an empty or new folder.' };
    case 'EIO':
    case 'ESTALE':
    case 'ETIMEDOUT':
      return { code: 'E_PATH_IO', problem: 'the disk or network share failed to answer (input/output error)', hint: 'Check the disk or the network mount, then run again.' };
    case 'EBUSY':
    case 'ETXTBSY':
      return { code: 'E_PATH_BUSY', problem: 'it is locked by another program', hint: 'Close the program that holds it, then run again.' };
    default:
      return null;
  }
}

/** The first existing path component that is not a folder (the reason for ENOTDIR; the path itself when it is a file), or null. */
export function brokenComponent(path: string, depth = 0): string | null {
  const full = resolve(path);
  const root = parse(full).root;
  const parts = full.slice(root.length).split(sep).filter(Boolean);
  let cur = root;
  for (let i = 0; i < parts.length; i++) {
    cur = cur.endsWith(sep) ? `${cur}${parts[i]}` : `${cur}${sep}${parts[i]}`;
    try {
      if (!statSync(cur).isDirectory()) return cur;
    } catch {
      // a symbolic link whose target is broken: follow it (a few levels) to name the component that is a file
      try {
        if (depth < 8 && lstatSync(cur).isSymbolicLink()) return brokenComponent(resolve(dirname(cur), readlinkSync(cur)), depth + 1);
      } catch {
        // unreadable link: nothing more to name
      }
      return null;
    }
  }
  return null;
}

/**
 * `statSync` that tells "not there" (null) from a path that cannot be looked at: a broken path component, no
 * permission, a link loop are UserErrors naming the path. The caller decides what a missing path means.
 */
export function statOrMissing(path: string, what: string): Stats | null {
  try {
    return statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw fsUserError(e, path, what) ?? e;
  }
}

/** A path that must be a file if it exists: a folder there is a UserError naming it. Null when missing. */
export function fileOrMissing(path: string, what: string): Stats | null {
  const st = statOrMissing(path, what);
  if (st?.isDirectory()) {
    throw new UserError('E_PATH_IS_FOLDER', `${path}: cannot read ${what}: it is a folder, not a file.`, { file: path, hint: 'Give the file inside the folder, or replace the folder with the file.' });
  }
  return st;
}

/** A Node file-system error (it has a string `code` such as ENOENT and a `syscall`). */
export function isFsError(e: unknown): e is NodeJS.ErrnoException & { code: string } {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && /^E[A-Z]+$/.test((e as NodeJS.ErrnoException).code as string) && 'syscall' in e;
}

/** "EXDEV: cross-device link not permitted, rename 'a' -> 'b'" → "cross-device link not permitted". */
function plainMessage(e: NodeJS.ErrnoException): string {
  return e.message.replace(/^E[A-Z]+:\s*/, '').replace(/,\s*\w+(\s+'.*)?$/, '').trim() || 'a system error';
}

/** Just the problem, for lists of skipped files: "permission denied", "it is a folder, not a file". */
export function fsProblem(e: unknown, path: string, op: FsOp = 'read'): string {
  if (!isFsError(e)) return (e as Error)?.message ?? String(e);
  return describe(e.code, op, path)?.problem ?? plainMessage(e);
}

/**
 * The UserError for a file-system error on `path`: "<path>: cannot read the weights file: it is a folder, not a file."
 * with an actionable hint. `what` names the thing ("the weights file", "the images folder"). Not an fs error: null.
 */
export function fsUserError(e: unknown, path: string, what: string, op: FsOp = 'read'): UserError | null {
  if (!isFsError(e)) return null;
  const d = describe(e.code, op, path);
  const problem = d?.problem ?? plainMessage(e);
  return new UserError(d?.code ?? 'E_PATH_ERROR', `${path}: cannot ${op} ${what}: ${problem}.`, { file: path, hint: d?.hint ?? 'Check the path and its permissions, then run again.' });
}

/** Runs `fn`; a file-system error it throws becomes the UserError naming `path` (anything else is rethrown). */
export function withFsErrors<T>(path: string, what: string, fn: () => T, op: FsOp = 'read'): T {
  try {
    return fn();
  } catch (e) {
    throw fsUserError(e, path, what, op) ?? e;
  }
}

/** `withFsErrors` for promises (sharp, fs/promises). */
export async function withFsErrorsAsync<T>(path: string, what: string, fn: () => Promise<T>, op: FsOp = 'read'): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw fsUserError(e, path, what, op) ?? e;
  }
}

/**
 * The last line of defence at a process boundary (engine request handlers, the CLI's top level): a file-system error
 * that no call site named becomes a UserError naming the path Node reports, or the path's folder for a stream.
 */
export function namedFsError(e: unknown): unknown {
  if (!isFsError(e)) return e;
  const dest = (e as { dest?: string }).dest;
  const path = e.path ?? (dest ? dirname(dest) : undefined);
  return fsUserError(e, path ?? '(a file)', 'a file', e.syscall === 'scandir' ? 'list' : /write|mkdir|rename|unlink|rmdir|copy|symlink/.test(e.syscall ?? '') ? 'write' : 'read') ?? e;
}
