import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintText } from './lintHarness';

const at = (r: { start: { line: number } }): number => r.start.line + 1;

const vtd001 = async (text: string): Promise<string[]> =>
  (await lintText(text)).filter((f) => f.code === 'VTD001').map((f) => `${at(f.range)}:${f.severity}`);

// video frames scaled on line 7, a keras.applications model applied to each frame
const sequential = (scale: string, weights = '"imagenet"'): string => `import numpy as np
from tensorflow.keras.applications import MobileNetV2
from tensorflow.keras.layers import LSTM, Dense, TimeDistributed, GlobalAveragePooling2D
from tensorflow.keras.models import Sequential
from tensorflow.keras.applications.mobilenet_v2 import preprocess_input
videos = np.load("videos.npy")
videos = ${scale}
labels = np.load("labels.npy")
base_model = MobileNetV2(weights=${weights}, include_top=False, input_shape=(64, 64, 3))
model = Sequential()
model.add(TimeDistributed(base_model, input_shape=(15, 64, 64, 3)))
model.add(TimeDistributed(GlobalAveragePooling2D()))
model.add(LSTM(256))
model.add(Dense(3, activation="softmax"))
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(videos, labels, epochs=3)
`;

const functional = (scale: string): string => `import numpy as np
import keras
from keras import layers
base = keras.applications.ResNet50(weights="imagenet", include_top=False, pooling="avg")
frames = np.load("frames.npy")
frames = ${scale}
inputs = keras.Input(shape=(8, 224, 224, 3))
x = layers.TimeDistributed(base)(inputs)
x = layers.LSTM(64)(x)
model = keras.Model(inputs, layers.Dense(2, activation="softmax")(x))
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(frames, np.zeros(10), epochs=2)
`;

// the notebook's shape: frames divided by 255 in a helper (line 7), the stacked videos divided again (line 14)
const twice = (again: string): string => `import cv2
import numpy as np
from tensorflow.keras.applications import MobileNetV2
from tensorflow.keras.layers import LSTM, Dense, TimeDistributed, GlobalAveragePooling2D
from tensorflow.keras.models import Sequential
def frames_extraction(path):
    frames = [cv2.resize(f, (64, 64)) / 255 for f in np.load(path)]
    return frames
features = []
for p in ["a.npy", "b.npy"]:
    features.append(frames_extraction(p))
videos = np.array(features)
labels = np.load("labels.npy")
videos = ${again}
base_model = MobileNetV2(weights="imagenet", include_top=False, input_shape=(64, 64, 3))
model = Sequential([TimeDistributed(base_model, input_shape=(15, 64, 64, 3)), TimeDistributed(GlobalAveragePooling2D()), LSTM(32), Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(videos, labels, epochs=3)
`;

describe('TimeDistributed(model) is a call of the model on each frame (batch 14 class 4)', () => {
  it('frames / 255 in a helper, then the stacked videos / 255 again: one warning at the later step, the first related, no fix', async () => {
    const fs = (await lintText(twice('videos.astype("float32") / 255'))).filter((f) => f.code === 'VTD001');
    assert.deepEqual(fs.map((f) => `${at(f.range)}:${f.severity}`), ['14:warning']);
    assert.ok(fs[0]!.related.some((r) => at(r.range) === 7 && /applied first here/.test(r.message)));
    assert.match(fs[0]!.message, /again/);
    assert.ok(!fs[0]!.fixes.some((f) => /preprocess_input/.test(f.title)));
  });

  it('the helper alone divides by 255: the warning sits there', async () => {
    const fs = (await lintText(twice('videos.astype("float32")'))).filter((f) => f.code === 'VTD001');
    assert.deepEqual(fs.map((f) => `${at(f.range)}:${f.severity}`), ['7:warning']);
    assert.doesNotMatch(fs[0]!.message, /again/);
  });


  it('frames divided by 255 before TimeDistributed(MobileNetV2) in a Sequential: a warning at the division', async () => {
    assert.deepEqual(await vtd001(sequential('videos.astype("float32") / 255')), ['7:warning']);
  });

  it('the same frames through mobilenet_v2.preprocess_input are silent', async () => {
    assert.deepEqual(await vtd001(sequential('preprocess_input(videos.astype("float32"))')), []);
  });

  it('a MobileNetV2 without pretrained weights is silent', async () => {
    assert.deepEqual(await vtd001(sequential('videos.astype("float32") / 255', 'None')), []);
  });

  it('a wrapped layer that is no model (TimeDistributed(Dense)) brings nothing in', async () => {
    const text = sequential('videos.astype("float32") / 255').replace('model.add(TimeDistributed(base_model, input_shape=(15, 64, 64, 3)))\n', '');
    assert.deepEqual(await vtd001(text), []);
  });

  it('layers.TimeDistributed(base)(inputs) in a functional graph: a warning at the division', async () => {
    assert.deepEqual(await vtd001(functional('frames / 255.0')), ['6:warning']);
  });

  it('the functional twin fed through resnet50.preprocess_input is silent', async () => {
    const text = functional('keras.applications.resnet50.preprocess_input(frames)');
    assert.deepEqual(await vtd001(text), []);
  });

  it('frames through an imported helper after the division: a link not followed, judged as the bare model call (no warning)', async () => {
    const text = functional('augment_clips(frames / 255.0)').replace('import numpy as np', 'import numpy as np\nfrom videotools import augment_clips');
    const wrapped = await vtd001(text);
    assert.deepEqual(wrapped, await vtd001(text.replace('layers.TimeDistributed(base)(inputs)', 'base(inputs)')));
    assert.ok(wrapped.every((f) => f.endsWith(':information')));
  });

  it('a model the wrapper cannot name (TimeDistributed(pick(base))) is not followed', async () => {
    const text = functional('frames / 255.0').replace('layers.TimeDistributed(base)(inputs)', 'layers.TimeDistributed(pick(base))(inputs)').replace('import numpy as np', 'import numpy as np\nfrom zoo import pick');
    assert.deepEqual(await vtd001(text), []);
  });
});
