import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintText } from './lintHarness';

const at = (r: { start: { line: number } }): number => r.start.line + 1;

const vtd001 = async (text: string): Promise<string[]> =>
  (await lintText(text)).filter((f) => f.code === 'VTD001').map((f) => `${at(f.range)}:${f.severity}`);

// pyimagesearch style: file names from an imported lister, pixels from cv2, scaled on line 14
const program = (lister: string, scale = 'np.array(data) / 255.0'): string => `import cv2
import numpy as np
from imutils import paths
from tensorflow.keras.applications import VGG16
from tensorflow.keras.layers import Dense, Flatten, Input
from tensorflow.keras.models import Model
imagePaths = ${lister}
data = []
for imagePath in imagePaths:
    image = cv2.imread(imagePath)
    image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    image = cv2.resize(image, (224, 224))
    data.append(image)
data = ${scale}
base = VGG16(weights="imagenet", include_top=False, input_tensor=Input(shape=(224, 224, 3)))
model = Model(inputs=base.input, outputs=Dense(2, activation="softmax")(Flatten()(base.output)))
model.compile(loss="binary_crossentropy", optimizer="adam")
model.fit(data, np.zeros((len(data), 2)), epochs=5)
`;

describe('an imported call that only names the files a loader reads is not on the pixel chain (batch 14 class 3)', () => {
  it('imutils paths.list_images feeding cv2.imread, then /255 into VGG16: a warning at the division', async () => {
    assert.deepEqual(await vtd001(program('list(paths.list_images("dataset"))')), ['14:warning']);
  });

  it('the same files through vgg16.preprocess_input are silent', async () => {
    const text = program('list(paths.list_images("dataset"))', 'preprocess_input(np.array(data, dtype="float32"))').replace('import cv2', 'import cv2\nfrom tensorflow.keras.applications.vgg16 import preprocess_input');
    assert.deepEqual(await vtd001(text), []);
  });

  it('glob, os.listdir and pathlib listers are the same', async () => {
    for (const lister of ['glob.glob("dataset/*/*.jpg")', '[os.path.join("d", f) for f in os.listdir("d")]', 'sorted(pathlib.Path("d").glob("*.png"))']) {
      const text = program(lister).replace('import cv2', 'import cv2\nimport glob\nimport os\nimport pathlib');
      assert.deepEqual(await vtd001(text), ['17:warning'], lister);
    }
  });

  it('labels cut from the imutils path (label = imagePath.split(os.path.sep)[-2]) and split with the data: still a warning', async () => {
    const text = program('list(paths.list_images("dataset"))')
      .replace('data = []', 'data = []\nlabels = []')
      .replace('    data.append(image)', '    data.append(image)\n    labels.append(imagePath.split(os.path.sep)[-2])')
      .replace('model.fit(data, np.zeros((len(data), 2)), epochs=5)', '(trainX, testX, trainY, testY) = train_test_split(data, np.array(labels), test_size=0.2)\nmodel.fit(trainX, trainY, validation_data=(testX, testY), epochs=5)')
      .replace('import cv2', 'import cv2\nimport os\nfrom sklearn.model_selection import train_test_split');
    assert.deepEqual(await vtd001(text), ['18:warning']);
    // the same lister from an unknown module: its values reach the data through the labels, the chain stays unknown
    assert.deepEqual((await vtd001(text.replace('from imutils import paths', 'from mytools import paths'))).filter((f) => f.endsWith(':warning')), []);
  });

  it('an imported call that produces the pixels (not the path) still leaves the chain unknown: no warning', async () => {
    const text = program('list(paths.list_images("dataset"))').replace('image = cv2.resize(image, (224, 224))', 'image = enhance(image)').replace('from imutils import paths', 'from imutils import paths\nfrom mytools import enhance');
    assert.deepEqual((await vtd001(text)).filter((f) => f.endsWith(':warning')), []);
  });

  it('an imported reader given the path (not a known loader) still leaves the chain unknown: no warning', async () => {
    const text = program('list(paths.list_images("dataset"))').replace('image = cv2.imread(imagePath)', 'image = read_image(imagePath)').replace('from imutils import paths', 'from imutils import paths\nfrom mytools import read_image');
    assert.deepEqual((await vtd001(text)).filter((f) => f.endsWith(':warning')), []);
  });
});
