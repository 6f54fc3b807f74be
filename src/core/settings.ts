import { BACKEND_CHOICES, type BackendChoice, type UserPreprocessing } from '../protocol/engineProtocol';
import type { LintSeverity } from './lint/lintTypes';

/** VS Code settings (`vitDoctor.*`), normalised. The host reads them; this module owns defaults and validation. */
export interface Settings {
  lintEnable: boolean;
  lintSeverity: Record<string, LintSeverity | 'off'>;
  lintDebounceMs: number;
  engineBackend: BackendChoice;
  /** ONNX Runtime intra-op threads; 0 = physical cores */
  engineThreads: number;
  engineNodePath: string;
  preset: string;
  images: string[];
  sanityBatch: number;
  sanityPreprocessing: UserPreprocessing | 'auto';
  trainData: string;
  trainMode: 'head' | 'last-k' | 'full';
  trainEpochs: number;
  /** label smoothing ε in [0, 1] for Train... and Check Pipeline Can Learn */
  trainLabelSmoothing: number;
}

export const SETTING_DEFAULTS = {
  'lint.enable': true,
  'lint.severity': {},
  'lint.debounceMs': 300,
  'engine.backend': 'auto',
  'engine.threads': 0,
  'engine.nodePath': '',
  preset: '',
  images: [],
  'sanity.batch': 8,
  'sanity.preprocessing': 'auto',
  'train.data': '',
  'train.mode': 'head',
  'train.epochs': 3,
  'train.labelSmoothing': 0,
} as const;

const BACKENDS: readonly BackendChoice[] = BACKEND_CHOICES;
const PREPROCESSING = ['auto', 'preset', 'none', 'rescale', 'imagenet', 'caffe', 'tf'];
const SEVERITIES = ['error', 'warning', 'information', 'off'];

/** `get(key)` returns the raw configured value (or undefined). Invalid values fall back to the defaults. */
export function normalizeSettings(get: (key: keyof typeof SETTING_DEFAULTS) => unknown): Settings {
  const bool = (k: keyof typeof SETTING_DEFAULTS): boolean => (typeof get(k) === 'boolean' ? (get(k) as boolean) : (SETTING_DEFAULTS[k] as boolean));
  const str = (k: keyof typeof SETTING_DEFAULTS): string => (typeof get(k) === 'string' ? (get(k) as string) : (SETTING_DEFAULTS[k] as string));
  const num = (k: keyof typeof SETTING_DEFAULTS, lo: number, hi: number): number => {
    const v = get(k);
    return typeof v === 'number' && Number.isFinite(v) ? Math.min(hi, Math.max(lo, Math.round(v))) : (SETTING_DEFAULTS[k] as number);
  };
  const fraction = (k: keyof typeof SETTING_DEFAULTS): number => {
    const v = get(k);
    return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1 ? v : (SETTING_DEFAULTS[k] as number);
  };
  const sevRaw = get('lint.severity');
  const lintSeverity: Record<string, LintSeverity | 'off'> = {};
  if (sevRaw && typeof sevRaw === 'object') for (const [k, v] of Object.entries(sevRaw)) if (typeof v === 'string' && SEVERITIES.includes(v)) lintSeverity[k] = v as LintSeverity | 'off';
  const backend = str('engine.backend');
  const pre = str('sanity.preprocessing');
  const images = get('images');
  return {
    lintEnable: bool('lint.enable'),
    lintSeverity,
    lintDebounceMs: num('lint.debounceMs', 0, 5000),
    engineBackend: (BACKENDS.includes(backend as BackendChoice) ? backend : 'auto') as BackendChoice,
    engineThreads: num('engine.threads', 0, 256),
    engineNodePath: str('engine.nodePath'),
    preset: str('preset'),
    images: Array.isArray(images) ? images.filter((x): x is string => typeof x === 'string') : [],
    sanityBatch: num('sanity.batch', 1, 256),
    sanityPreprocessing: (PREPROCESSING.includes(pre) ? pre : 'auto') as Settings['sanityPreprocessing'],
    trainData: str('train.data'),
    trainMode: (['head', 'last-k', 'full'].includes(str('train.mode')) ? str('train.mode') : 'head') as Settings['trainMode'],
    trainEpochs: num('train.epochs', 1, 1000),
    trainLabelSmoothing: fraction('train.labelSmoothing'),
  };
}
