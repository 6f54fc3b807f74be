import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LintFinding } from '../../../../src/core/lint/lintTypes';
import { getPythonParser } from '../../../../src/core/lint/pythonSource';
import { lintNotebook } from '../../../../src/core/notebook/lintNotebook';
import type { NotebookCell } from '../../../../src/core/notebook/notebookProgram';
import { applyEdits, lintText } from './lintHarness';

/**
 * Batch 17 class FX3: VTD005 judges a sigmoid head with a binary loss as it judges a softmax head with a categorical
 * one: sigmoid + from_logits=True applies sigmoid twice; a logits head with a binary loss told from_logits=False (its
 * default, a string name, the loss function itself) reads logits as probabilities. Judged at each compile, on the head
 * of the model that compile compiles.
 */
const vtd005 = async (text: string): Promise<LintFinding[]> => (await lintText(text)).filter((f) => f.code === 'VTD005');
const at = (f: LintFinding): string => `${f.range.start.line + 1}:${f.range.start.character}`;

const functional = (head: string, loss: string, prelude = ''): string => `import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers
${prelude}
base = keras.applications.MobileNetV2(input_shape=(160, 160, 3), include_top=False, weights="imagenet")
base.trainable = False
inputs = keras.Input(shape=(160, 160, 3))
x = keras.applications.mobilenet_v2.preprocess_input(inputs)
x = base(x, training=False)
x = layers.GlobalAveragePooling2D()(x)
outputs = ${head}
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=${loss}, metrics=["accuracy"])
model.fit(train_ds, validation_data=val_ds, epochs=5)
`;

describe('batch 17 class FX3: a sigmoid head with a binary loss told from_logits=True', () => {
  it('Dense(1, activation="sigmoid") with keras.losses.BinaryCrossentropy(from_logits=True): at from_logits, fix sets False', async () => {
    const text = functional('layers.Dense(1, activation="sigmoid")(x)', 'keras.losses.BinaryCrossentropy(from_logits=True)');
    const f = await vtd005(text);
    assert.equal(f.length, 1, JSON.stringify(f.map((x) => x.message)));
    assert.equal(f[0]!.severity, 'warning');
    assert.match(f[0]!.message, /^The head applies sigmoid, but the loss is told from_logits=True: sigmoid runs twice/);
    assert.equal(at(f[0]!), `13:${text.split('\n')[12]!.indexOf('True')}`);
    assert.deepEqual(f[0]!.related.map((r) => [r.message, r.range.start.line + 1]), [['head here', 11], ['compiled here', 13]]);
    const fixed = applyEdits(text, f[0]!.fixes[0]!.edits);
    assert.match(fixed, /BinaryCrossentropy\(from_logits=False\)/);
    assert.deepEqual(await vtd005(fixed), []);
  });

  it('the activation through a variable, tf.nn.sigmoid, keras.activations.sigmoid, a last Activation("sigmoid") layer', async () => {
    const loss = 'tf.keras.losses.BinaryCrossentropy(from_logits=True)';
    for (const [head, prelude] of [
      ['layers.Dense(1, activation=ACT)(x)', 'ACT = "sigmoid"'],
      ['layers.Dense(1, activation=tf.nn.sigmoid)(x)', ''],
      ['layers.Dense(1, activation=keras.activations.sigmoid)(x)', ''],
      ['layers.Activation("sigmoid")(layers.Dense(1)(x))', ''],
      ['tf.nn.sigmoid(layers.Dense(1)(x))', ''],
    ] as const) {
      assert.deepEqual((await vtd005(functional(head, loss, prelude))).map((x) => x.range.start.line + 1), [13], head);
    }
  });

  it('a Sequential ending in Activation("sigmoid"), the loss bound to a name first; from_logits passed positionally', async () => {
    const seq = (loss: string): string => `import tensorflow as tf
model = tf.keras.Sequential([
    tf.keras.layers.Conv2D(16, 3, activation="relu", input_shape=(64, 64, 3)),
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dense(1),
    tf.keras.layers.Activation("sigmoid"),
])
loss_fn = ${loss}
model.compile(optimizer="adam", loss=loss_fn)
`;
    const col = (loss: string): string => `8:${'loss_fn = '.length + loss.indexOf('True')}`;
    for (const loss of ['tf.keras.losses.BinaryCrossentropy(from_logits=True)', 'tf.keras.losses.BinaryCrossentropy(True)']) assert.deepEqual((await vtd005(seq(loss))).map(at), [col(loss)]);
    assert.deepEqual(await vtd005(seq('tf.keras.losses.BinaryCrossentropy(False)')), []);
  });

  it('BinaryFocalCrossentropy(from_logits=True) after a sigmoid; its first positional argument is not from_logits', async () => {
    const head = 'layers.Dense(1, activation="sigmoid")(x)';
    assert.equal((await vtd005(functional(head, 'keras.losses.BinaryFocalCrossentropy(gamma=2.0, from_logits=True)'))).length, 1);
    assert.deepEqual(await vtd005(functional(head, 'keras.losses.BinaryFocalCrossentropy(True)')), []); // apply_class_balancing
    assert.deepEqual(await vtd005(functional(head, 'keras.losses.BinaryFocalCrossentropy(gamma=2.0)')), []);
  });

  it('a model built in one cell, compiled in the next, compiled again for fine-tuning: one finding per compile', async () => {
    const code = (text: string): NotebookCell => ({ kind: 'code', language: 'python', text });
    const cells: NotebookCell[] = [
      code('import tensorflow as tf\nfrom tensorflow.keras import layers'),
      code('base = tf.keras.applications.MobileNetV2(input_shape=(160, 160, 3), include_top=False, weights="imagenet")\nbase.trainable = False\ninputs = tf.keras.Input(shape=(160, 160, 3))\nx = tf.keras.applications.mobilenet_v2.preprocess_input(inputs)\nx = base(x, training=False)\nx = layers.GlobalAveragePooling2D()(x)\noutputs = layers.Dense(1, activation="sigmoid")(x)\nclassifier = tf.keras.Model(inputs, outputs)'),
      code('loss_function = tf.keras.losses.BinaryCrossentropy(from_logits=True)\nclassifier.compile(optimizer=tf.keras.optimizers.Adam(1e-3), loss=loss_function, metrics=["accuracy"])\nclassifier.fit(train_ds, epochs=5)'),
      { kind: 'markup', language: 'markdown', text: '## Fine-tuning' },
      code('base.trainable = True\nfor layer in base.layers[:100]:\n    layer.trainable = False\nclassifier.compile(loss=tf.keras.losses.BinaryCrossentropy(from_logits=True), optimizer=tf.keras.optimizers.RMSprop(1e-5), metrics=["accuracy"])\nclassifier.fit(train_ds, epochs=10)'),
    ];
    const f = lintNotebook(await getPythonParser(), cells).findings.filter((x) => x.code === 'VTD005');
    assert.deepEqual(f.map((x) => [x.cell, x.range.start.line + 1]), [[2, 1], [4, 4]]);
    assert.ok(f.every((x) => x.related.some((r) => r.message === 'head here' && r.cell === 1)));
  });
});

describe('batch 17 class FX3: a logits head with a binary loss reading probabilities', () => {
  const logits = 'layers.Dense(1)(x)';

  it('"binary_crossentropy": the warning names the loss and offers BinaryCrossentropy(from_logits=True)', async () => {
    const text = functional(logits, '"binary_crossentropy"').replace('from tensorflow import keras', 'import keras');
    const f = await vtd005(text);
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /^The head outputs logits \(Dense without activation\), but the loss "binary_crossentropy" expects probabilities/);
    const fixed = applyEdits(text, f[0]!.fixes[0]!.edits);
    assert.match(fixed, /loss=keras\.losses\.BinaryCrossentropy\(from_logits=True\)/);
    assert.deepEqual(await vtd005(fixed), []);
  });

  it('BinaryCrossentropy() (from_logits=False by default), from_logits=False, "binary_focal_crossentropy", the loss function itself', async () => {
    for (const loss of ['keras.losses.BinaryCrossentropy()', 'tf.keras.losses.BinaryCrossentropy(from_logits=False)', '"binary_focal_crossentropy"', 'tf.keras.losses.binary_crossentropy', 'keras.losses.BinaryFocalCrossentropy(gamma=2.0)']) {
      const f = await vtd005(functional(logits, loss));
      assert.deepEqual(f.map((x) => x.range.start.line + 1), [13], loss);
    }
    const imported = functional(logits, 'binary_crossentropy', 'from tensorflow.keras.losses import binary_crossentropy');
    assert.match((await vtd005(imported))[0]?.message ?? '', /the loss binary_crossentropy expects probabilities/);
  });

  it('correct twins: sigmoid with from_logits=False or the default, Dense(1) with from_logits=True, a multi-label sigmoid head', async () => {
    const silent: [string, string][] = [
      ['layers.Dense(1, activation="sigmoid")(x)', 'keras.losses.BinaryCrossentropy(from_logits=False)'],
      ['layers.Dense(1, activation="sigmoid")(x)', 'keras.losses.BinaryCrossentropy()'],
      ['layers.Dense(1, activation="sigmoid")(x)', '"binary_crossentropy"'],
      ['layers.Dense(1, activation="sigmoid")(x)', 'tf.keras.losses.binary_crossentropy'],
      ['layers.Dense(1)(x)', 'keras.losses.BinaryCrossentropy(from_logits=True)'],
      ['layers.Dense(1)(x)', 'keras.losses.BinaryFocalCrossentropy(from_logits=True)'],
      ['layers.Dense(1, activation="linear")(x)', 'tf.keras.losses.BinaryCrossentropy(from_logits=True)'],
      ['layers.Dense(20, activation="sigmoid")(x)', 'keras.losses.BinaryCrossentropy()'],
      ['layers.Dense(20, activation="sigmoid")(x)', '"binary_crossentropy"'],
    ];
    for (const [head, loss] of silent) assert.deepEqual(await vtd005(functional(head, loss)), [], `${head} / ${loss}`);
  });

  it('silent when the activation cannot be read, or the compiled model is another one than the sigmoid-headed one', async () => {
    const unknown = `import tensorflow as tf
def build(act):
    return tf.keras.Sequential([tf.keras.layers.Flatten(input_shape=(28, 28)), tf.keras.layers.Dense(1, activation=act)])
model = build(get_activation())
model.compile(optimizer="adam", loss=tf.keras.losses.BinaryCrossentropy(from_logits=True))
`;
    assert.deepEqual(await vtd005(unknown), []);
    const rebound = `import tensorflow as tf
model = tf.keras.Sequential([tf.keras.layers.Flatten(input_shape=(28, 28)), tf.keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy")
model = tf.keras.Sequential([tf.keras.layers.Flatten(input_shape=(28, 28)), tf.keras.layers.Dense(1)])
model.compile(optimizer="adam", loss=tf.keras.losses.BinaryCrossentropy(from_logits=True))
`;
    assert.deepEqual(await vtd005(rebound), []);
    // the same two models with the losses swapped: both compiles are wrong
    const swapped = rebound.replace('loss="binary_crossentropy"', 'loss=LOSS').replace('loss=tf.keras.losses.BinaryCrossentropy(from_logits=True))', 'loss="binary_crossentropy")').replace('loss=LOSS', 'loss=tf.keras.losses.BinaryCrossentropy(from_logits=True)');
    assert.deepEqual((await vtd005(swapped)).map((x) => x.range.start.line + 1), [3, 5]);
  });
});
