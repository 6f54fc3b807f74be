import { join } from 'node:path';
import * as vscode from 'vscode';
import { forkEngine, type EngineHandle } from '../../core/engine/forkEngine';
import type { Logger } from '../../core/logger';
import type { EngineRequests, SanityParams, SanityReport } from '../../protocol/engineProtocol';
import type { TrainProgressEvent } from '../../protocol/trainProtocol';
import { readSettings } from '../settings';

/**
 * Owns the engine child process: starts it on first use with the configured backend, logs its stderr, maps
 * cancellation tokens to cancel messages, restarts after a crash (telling the user), kills it on dispose.
 */
export class EngineHost implements vscode.Disposable {
  private handle: EngineHandle | null = null;
  private starting: Promise<EngineHandle> | null = null;
  private disposed = false;
  private busy = 0;
  readonly status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 10);

  constructor(
    private readonly extensionPath: string,
    private readonly log: Logger,
    private readonly nativeDir: string,
    /** the extension's global storage cache: ONNX models built from presets (keyed by content hash) */
    private readonly cacheDir: string,
    private readonly onCrash: (message: string) => void,
    private readonly onStarted: (backend: string, requested: string) => void = () => {},
  ) {
    this.status.name = 'ViT Doctor engine';
    // the backend and thread count are fixed when the process starts: a change takes effect from the next request
    this.configSub = vscode.workspace.onDidChangeConfiguration((e) => {
      if ((e.affectsConfiguration('vitDoctor.engine') && this.handle && this.busy === 0)) {
        this.log.info('engine settings changed: the engine restarts on the next request');
        this.stop();
      }
    });
  }

  private readonly configSub: vscode.Disposable;

  processInfo(): { pid: number | null; busy: boolean } {
    return { pid: this.handle?.child.pid ?? null, busy: this.busy > 0 };
  }

  get backend(): string | null {
    return this.handle?.ready.backend.name ?? null;
  }

  private async start(): Promise<EngineHandle> {
    const s = readSettings();
    this.log.info(`starting engine (backend ${s.engineBackend}, threads ${s.engineThreads || 'physical cores'}${s.engineNodePath ? `, node ${s.engineNodePath}` : ''})`);
    const h = await forkEngine({
      enginePath: join(this.extensionPath, 'dist', 'engine.js'),
      backend: s.engineBackend,
      threads: s.engineThreads,
      logger: this.log,
      execPath: s.engineNodePath || undefined,
      env: { VIT_DOCTOR_NATIVE_DIR: this.nativeDir, VIT_DOCTOR_CACHE_DIR: this.cacheDir },
    });
    this.log.info(`engine ready: protocol ${h.ready.protocolVersion}, backend ${h.ready.backend.name} (${h.ready.backend.notes.join('; ')}), node ${h.ready.node}`);
    this.onStarted(h.ready.backend.name, s.engineBackend);
    h.endpoint.onNotification('engine/log', (e) => this.log[e.level === 'warn' ? 'warn' : e.level === 'error' ? 'error' : e.level === 'debug' ? 'debug' : 'info'](`[engine] ${e.message}`));
    void h.exited.then(({ code, signal }) => {
      if (this.handle === h) this.handle = null;
      if (!this.disposed && !h.child.killed) {
        const msg = `The ViT Doctor engine stopped unexpectedly (${signal ?? `exit code ${code}`}). It restarts on the next request.`;
        this.log.error(msg);
        this.onCrash(msg);
      }
    });
    return h;
  }

  async get(): Promise<EngineHandle> {
    if (this.handle) return this.handle;
    if (!this.starting) {
      this.starting = this.start().then(
        (h) => {
          this.handle = h;
          this.starting = null;
          return h;
        },
        (e: unknown) => {
          this.starting = null;
          throw e;
        },
      );
    }
    return this.starting;
  }

  async sanityPass(params: SanityParams, token: vscode.CancellationToken, onProgress: (message: string, fraction: number) => void): Promise<SanityReport> {
    const h = await this.get();
    const ac = new AbortController();
    const sub = token.onCancellationRequested(() => ac.abort());
    const off = h.endpoint.onNotification('engine/progress', (p) => onProgress(p.message, p.fraction));
    this.setBusy(+1);
    try {
      return await h.endpoint.request('engine/sanityPass', params, ac.signal);
    } finally {
      this.setBusy(-1);
      off();
      sub.dispose();
    }
  }

  /** Training or a pipeline check: events are forwarded as they come; the token cancels between steps. */
  async trainRequest<M extends 'engine/train' | 'engine/checkPipeline'>(
    method: M,
    params: EngineRequests[M]['params'],
    token: vscode.CancellationToken,
    onEvent: (e: TrainProgressEvent['event']) => void,
  ): Promise<EngineRequests[M]['result']> {
    const h = await this.get();
    const ac = new AbortController();
    const sub = token.onCancellationRequested(() => ac.abort());
    const off = h.endpoint.onNotification('engine/trainProgress', (p) => onEvent(p.event));
    this.setBusy(+1);
    try {
      return (await h.endpoint.request(method, params, ac.signal)) as EngineRequests[M]['result'];
    } finally {
      this.setBusy(-1);
      off();
      sub.dispose();
    }
  }

  private setBusy(delta: number): void {
    this.busy += delta;
    if (this.busy > 0) {
      this.status.text = '$(sync~spin) ViT Doctor';
      this.status.tooltip = `Engine working (${this.backend ?? 'starting'})`;
      this.status.show();
    } else this.status.hide();
  }

  async restart(): Promise<void> {
    this.stop();
    await this.get();
  }

  stop(): void {
    const h = this.handle;
    this.handle = null;
    if (h) {
      h.kill();
    }
  }

  dispose(): void {
    this.disposed = true;
    this.configSub.dispose();
    this.stop();
    this.status.dispose();
  }
}
