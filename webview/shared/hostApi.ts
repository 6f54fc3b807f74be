/** The VS Code webview API behind a settable factory, so that panels run in a plain browser under test. */
export interface HostApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): HostApi;

let factory: () => HostApi = () => acquireVsCodeApi();
let instance: HostApi | null = null;

/** Tests install a fake host before the bundle runs (window.__vitDoctorHostFactory). */
export function setHostApiFactory(f: () => HostApi): void {
  factory = f;
  instance = null;
}

export function hostApi(): HostApi {
  const w = globalThis as { __vitDoctorHostFactory?: () => HostApi };
  if (!instance) instance = (w.__vitDoctorHostFactory ?? factory)();
  return instance;
}
