/** Host ⇄ webview panel contracts. Panels send `panel/ready` first; the host answers with a full `panel/state`. */
import type { SanityReport } from './engineProtocol';
import type { CheckResult, TrainEvent } from './trainProtocol';

/** The shapes that the static analysis of the open file expects, before any run. */
export interface ExpectedShapes {
  preset: string;
  imageSize: [number, number] | null;
  patchSize: [number, number] | null;
  useClassToken: boolean | null;
  hiddenDim: number | null;
  numLayers: number | null;
  pooling: 'token' | 'gap' | 'unknown';
  headUnits: number | null;
  /** Image size written in the code (Input shape), for mismatch highlighting. */
  codeInputSize: [number, number] | null;
  /** Register tokens between the CLS token and the patches (DINOv2 with registers). */
  registers?: number;
  /** The preset's converter as a formula, e.g. "x / 127.5 - 1" or "(x / 255 - ImageNet mean) / ImageNet std". */
  converter?: string;
}

/** Where in the user's code each stage is created (0-based lines), for click-to-reveal. */
export type StageLines = Partial<Record<'preprocessed' | 'tokens' | 'backbone_output' | 'pooled' | 'logits', number>>;

export interface ReportPanelState {
  report: SanityReport | null;
  expected: ExpectedShapes | null;
  stageLines: StageLines;
  sourceFile: string | null;
  running: boolean;
  error: string | null;
}

export interface StatsPanelState {
  report: Pick<SanityReport, 'inputStats' | 'images' | 'userPreprocessing' | 'findings' | 'preset'> | null;
  /** data: URIs of the converted images de-normalised for display, in batch order. */
  thumbnails: string[];
}

export interface DiffRow {
  file: string;
  key: string;
  left: string;
  right: string;
  kind: 'same' | 'changed' | 'added' | 'removed';
  meaning?: string;
}

export interface DiffPanelState {
  leftLabel: string;
  rightLabel: string;
  mapping: {
    left: string;
    right: string;
    same: boolean;
    explanation: string;
    /** The effective input mapping item by item (mean/std, resize, built size, tokens), when known. */
    details?: { label: string; left: string; right: string; same: boolean }[];
  };
  rows: DiffRow[];
}

/** Training panel: a run's events so far, or a pipeline check's result. */
export interface TrainPanelState {
  title: string;
  running: boolean;
  events: TrainEvent[];
  check: CheckResult | null;
  error: string | null;
}

export interface PanelNotificationsToWebview<S> {
  [method: string]: unknown;
  'panel/state': S;
  /** Training events appended to the current state (live curves). */
  'train/append': { events: TrainEvent[] };
}

export interface PanelNotificationsToHost {
  [method: string]: unknown;
  'panel/ready': Record<string, never>;
  /** Reveal a line of the source file in the editor. */
  'panel/revealLine': { line: number };
  /** Ask the host to run the sanity batch again. */
  'panel/rerun': Record<string, never>;
  /** Stop the running training or check. */
  'panel/stop': Record<string, never>;
}
