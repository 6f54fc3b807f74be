/** Minimal argv parser: `--flag value...` (multi-valued flags take every value up to the next flag), `--bool`. */
export interface ParsedArgs {
  command: string | undefined;
  positionals: string[];
  values: Map<string, string[]>;
  flags: Set<string>;
}

export function parseArgv(argv: string[], booleanFlags: readonly string[]): ParsedArgs {
  const out: ParsedArgs = { command: undefined, positionals: [], values: new Map(), flags: new Set() };
  let current: string | null = null;
  for (const arg of argv) {
    if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      if (booleanFlags.includes(name)) {
        out.flags.add(name);
        current = null;
        continue;
      }
      current = name;
      if (!out.values.has(name)) out.values.set(name, []);
      if (inline !== undefined) {
        out.values.get(name)!.push(inline);
        current = null;
      }
    } else if (current) out.values.get(current)!.push(arg);
    else if (out.command === undefined) out.command = arg;
    else out.positionals.push(arg);
  }
  return out;
}
