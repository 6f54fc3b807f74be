import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface TreeRun {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** sum over the process tree of each process's peak RSS (VmHWM): an upper bound of the tree's joint peak */
  peakRssMb: number;
}

function readHwmKb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Runs a command and polls /proc every 10 ms for the peak RSS of it and every process it starts (Linux only). */
export function runMeasured(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<TreeRun> {
  return new Promise((resolveRun) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const hwm = new Map<number, number>();
    const poll = (): void => {
      const stack = child.pid ? [child.pid] : [];
      while (stack.length) {
        const pid = stack.pop() as number;
        const kb = readHwmKb(pid);
        if (kb > (hwm.get(pid) ?? 0)) hwm.set(pid, kb);
        stack.push(...childrenOf(pid));
      }
    };
    const timer = setInterval(poll, 10);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', () => poll());
    child.on('close', (code) => {
      clearInterval(timer);
      const kb = [...hwm.values()].reduce((a, b) => a + b, 0);
      resolveRun({ code, stdout, stderr, wallMs: performance.now() - t0, peakRssMb: kb / 1024 });
    });
  });
}
