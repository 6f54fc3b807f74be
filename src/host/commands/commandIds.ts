/** Command ids, in one place; test/unit/manifest.test.ts checks them against package.json. */
export const COMMANDS = {
  runSanityBatch: 'vitDoctor.runSanityBatch',
  openShapeInspector: 'vitDoctor.openShapeInspector',
  showInputStatistics: 'vitDoctor.showInputStatistics',
  comparePresets: 'vitDoctor.comparePresets',
  showPresetConfig: 'vitDoctor.showPresetConfig',
  restartEngine: 'vitDoctor.restartEngine',
  showLogs: 'vitDoctor.showLogs',
  installNativeBackend: 'vitDoctor.installNativeBackend',
  train: 'vitDoctor.train',
  checkPipeline: 'vitDoctor.checkPipeline',
} as const;

export const VIEW_TYPES = {
  report: 'vitDoctor.report',
  stats: 'vitDoctor.inputStats',
  presetDiff: 'vitDoctor.presetDiff',
  training: 'vitDoctor.training',
} as const;
