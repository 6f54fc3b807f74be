import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintText } from './lintHarness';

const at = (r: { start: { line: number } }): number => r.start.line + 1;

const program = (train: string): string => `from keras.applications import VGG16
from keras.layers import Dense, Flatten
from keras.models import Model
from keras.preprocessing.image import ImageDataGenerator
datagen_train = ImageDataGenerator(rescale=1./255, horizontal_flip=True)
datagen_test = ImageDataGenerator(rescale=1./255)
generator_train = datagen_train.flow_from_directory("train", target_size=(224, 224))
generator_test = datagen_test.flow_from_directory("test", target_size=(224, 224))
base = VGG16(include_top=False, weights="imagenet", input_shape=(224, 224, 3))
model = Model(base.input, Dense(3, activation="softmax")(Flatten()(base.output)))
model.compile(optimizer="adam", loss="categorical_crossentropy")
${train}
model.evaluate_generator(generator_test, steps=10)
`;

describe('Keras 2 generator methods feed the model like fit/predict/evaluate', () => {
  for (const train of ['model.fit_generator(generator=generator_train, epochs=3)', 'model.fit_generator(generator_train, epochs=3)', 'model.fit(generator_train, epochs=3)']) {
    it(`${train}: the wrong scaling of the training data first, the test data's related`, async () => {
      const fs = (await lintText(program(train))).filter((f) => f.code === 'VTD001');
      assert.deepEqual(fs.map((f) => `${at(f.range)}:${f.severity}`), ['5:warning']);
      assert.ok(fs[0]!.related.some((r) => at(r.range) === 6 && /scaling on the path/.test(r.message)));
    });
  }

  it('data that reaches the model only through predict_generator is judged too', async () => {
    const text = program('').replace('model.evaluate_generator(generator_test, steps=10)', 'model.predict_generator(generator_test)');
    const fs = (await lintText(text)).filter((f) => f.code === 'VTD001');
    assert.deepEqual(fs.map((f) => at(f.range)), [6]);
  });

  it('a numpy array scaled for a generator that is never passed to the model is not judged', async () => {
    const text = program('model.fit_generator(generator_train, epochs=3)').replace('rescale=1./255, horizontal_flip=True', 'preprocessing_function=keras_pi, horizontal_flip=True').replace('from keras.applications import VGG16', 'from keras.applications import VGG16\nfrom keras.applications.vgg16 import preprocess_input as keras_pi').replace('model.evaluate_generator(generator_test, steps=10)', 'shown = datagen_test.flow_from_directory("test")');
    assert.deepEqual((await lintText(text)).filter((f) => f.code === 'VTD001'), []);
  });
});
