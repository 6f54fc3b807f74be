import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintText } from './lintHarness';

const program = (extra: string): string => `import cv2
import numpy as np
import tensorflow as tf
from tensorflow.keras.applications import Xception
def load(path):
    img = cv2.imread(path)
    img = cv2.resize(cv2.cvtColor(img, cv2.COLOR_BGR2RGB), (299, 299))${extra}
    return img / 255.0
x = np.stack([load(p) for p in ["a.jpg", "b.jpg"]])
base = Xception(weights="imagenet", include_top=False, pooling="avg")
base.trainable = False
model = tf.keras.Sequential([base, tf.keras.layers.Dense(7, activation="softmax")])
model.fit(x, np.zeros(2))
`;

describe('OpenCV in a loader: images stay 0-255 unless cv2.normalize rescales them', () => {
  it('cv2.imread/cvtColor/resize then / 255 before an ImageNet Xception is a warning at the / 255', async () => {
    const fs = (await lintText(program(''))).filter((f) => f.code === 'VTD001');
    assert.deepEqual(fs.map((f) => `${f.range.start.line + 1}:${f.severity}`), ['8:warning']);
  });

  it('a cv2.normalize in the file keeps OpenCV calls unknown code: silent', async () => {
    const fs = (await lintText(program('\n    img = cv2.normalize(img, None, 0, 255, cv2.NORM_MINMAX)'))).filter((f) => f.code === 'VTD001' && f.severity !== 'information');
    assert.deepEqual(fs, []);
  });
});
