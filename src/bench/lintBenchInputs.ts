import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NotebookCell } from '../core/notebook/notebookProgram';

/**
 * The fixtures the lint bench was built from when the speed goals of issues 15/16 were set: the names of
 * test/fixtures/python/*.py at commit 0cb5f11 (`git ls-tree --name-only 0cb5f11 test/fixtures/python/`), syntax_error.py
 * left out. The set has grown since (keras.applications fixtures): the bench prints rows on the current set and on
 * this one, so that a before/after on the same text stays visible.
 */
export const FIXTURES_AT_0CB5F11: readonly string[] = [
  'dinov2_image_shape_ok', 'dinov2_input_not_passed', 'dinov2_patch14', 'dinov2_release_names',
  'dinov2_two_step_wrong', 'dinov2_wrapper_default_preset', 'dinov3_names_and_converter', 'factory_default_argument',
  'factory_loop_unknown_branch', 'factory_tuple_converter', 'factory_tuple_other_model',
  'factory_tuple_preprocess_none', 'keras_hub_other_versions', 'kerascv_attr_after_build', 'kerascv_correct_names',
  'kerascv_double_rescale', 'kerascv_unknown_models', 'model_zoo_resize', 'model_zoo_two_models', 'notebook_export',
  'notebook_scratch_then_pretrained', 'recent_keras_hub_names', 'resnet_cls_slice', 'task_backbone_reused',
  'task_beside_functional_cnn', 'task_in_sequential', 'task_plot_grid_only', 'task_predict_double_scale',
  'task_two_phase_backbone_attr', 'unrelated_script', 'vit_adapted_normalization',
  'vit_beside_baseline_cnn_sequential', 'vit_converter_plus_rescale', 'vit_converter_unused',
  'vit_correct_converter', 'vit_crlf', 'vit_dense_on_tokens', 'vit_dummy_tensor_shape_check',
  'vit_flavor_and_classes', 'vit_freeze_loops', 'vit_freeze_nothing', 'vit_functional_rescale_into_backbone',
  'vit_guarded_probe', 'vit_ignored', 'vit_imagenet_255_constants_helper', 'vit_imagenet_meanstd',
  'vit_imported_preprocessing', 'vit_inplace_scaling', 'vit_input_shape', 'vit_kaggle_rescaling_map',
  'vit_label_mismatch', 'vit_labels_one_hot_in_map', 'vit_logits_loss', 'vit_manual_minus1to1', 'vit_plot_rescale',
  'vit_raw_pixels', 'vit_rescale_only', 'vit_rescaling_layer_sequential', 'vit_sequential_beside_cnn',
  'vit_sequential_resize_then_rescale', 'vit_softmax_from_logits', 'vit_subclass_converter_in_method',
  'vit_subclass_preset_via_constructor', 'vit_subclass_self_encoder', 'vit_task_double_norm', 'vit_task_fit_correct',
  'vit_task_no_preprocessor', 'vit_token_misuse', 'vit_token_projection_pooled', 'vit_two_step_map_fn',
  'vit_two_step_scaling', 'vit_unknown_api', 'vit_upsampled_small_images', 'vit_wildcard_user_module',
  'vit_wrapper_unfreeze_all', 'zoo_map_functions_per_model',
].map((n) => `${n}.py`);

/** The fixture texts of the current set (every .py but syntax_error.py, sorted), or of the named ones. */
export function lintBenchParts(names?: readonly string[]): string[] {
  const dir = resolve('test/fixtures/python');
  const files = names ?? readdirSync(dir).filter((f) => f.endsWith('.py') && f !== 'syntax_error.py').sort();
  return files.map((f) => readFileSync(join(dir, f), 'utf8'));
}

/** A 2,000-line file: the fixtures one after another, repeated, cut at 2,000 lines. */
export function benchFile(parts: string[]): string {
  let text = '';
  for (let i = 0; text.split('\n').length < 2000; i++) text += `${parts[i % parts.length]}\n`;
  return text.split('\n').slice(0, 2000).join('\n');
}

/** A 200-cell notebook from the fixtures: every fourth cell markdown, shell lines and magics in every tenth. */
export function benchNotebookCells(parts: string[]): NotebookCell[] {
  return Array.from({ length: 200 }, (_, i) =>
    i % 4 === 3 ? { kind: 'markup', language: 'markdown', text: `## Step ${i}` } : { kind: 'code', language: 'python', text: `${i % 10 === 0 ? '!pip install -q keras-hub\n%matplotlib inline\n' : ''}${(parts[i % parts.length] as string).split('\n').slice(0, 12).join('\n')}` });
}
