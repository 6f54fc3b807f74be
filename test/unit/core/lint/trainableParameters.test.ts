import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintText } from './lintHarness';

/**
 * Probe class G: `self.backbone.trainable = not freeze` in a keras.Model subclass's constructor takes effect where the
 * class is instantiated, with the argument passed there (or the default); a method that unfreezes takes effect where it
 * is called, not where it is defined.
 */
const vtd007 = async (text: string): Promise<string[]> =>
  (await lintText(text)).filter((f) => f.code === 'VTD007').map((f) => `${f.range.start.line + 1}:${f.severity}`);

const subclass = (ctorArgs: string, between: string, lr: string): string => `import keras
import keras_hub

class Classifier(keras.Model):
    def __init__(self, classes, freeze=True, **kwargs):
        super().__init__(**kwargs)
        self.backbone = keras_hub.models.ViTBackbone.from_preset("vit_base_patch16_224_imagenet")
        self.backbone.trainable = not freeze
        self.head = keras.layers.Dense(classes)

    def call(self, x):
        return self.head(self.backbone(x)[:, 0, :])

    def thaw(self):
        self.backbone.trainable = True

model = Classifier(${ctorArgs})
${between}
model.compile(optimizer=keras.optimizers.AdamW(learning_rate=${lr}), loss="mse")
`;

describe('trainable state set through a constructor parameter or a method (probe class G)', () => {
  it('the default (frozen) at the instantiation: a head-only phase at 1e-3 is no finding', async () => {
    assert.deepEqual(await vtd007(subclass('3', '', '1e-3')), []);
  });

  it('frozen passed by keyword, the unfreezing method defined before but called after the compile: no finding', async () => {
    const text = `${subclass('3, freeze=True', '', '1e-3')}model.thaw()\nmodel.compile(optimizer=keras.optimizers.AdamW(learning_rate=1e-5), loss="mse")\n`;
    assert.deepEqual(await vtd007(text), []);
  });

  it('unfrozen passed at the instantiation: the compile at 1e-3 trains the whole backbone (warning)', async () => {
    assert.deepEqual(await vtd007(subclass('3, freeze=False', '', '1e-3')), ['19:warning']);
  });

  it('frozen at the instantiation, unfrozen by the method called before the compile: warning', async () => {
    assert.deepEqual(await vtd007(subclass('3', 'model.thaw()', '1e-3')), ['19:warning']);
  });

  it('a value the file does not show (a name read elsewhere) is no warning', async () => {
    assert.deepEqual(await vtd007(subclass('3, freeze=settings.freeze', '', '1e-3')), []);
  });
});
