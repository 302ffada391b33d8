import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine, tf } from '@latentkit/core';
import { LkHoleHash, LkPositionEmbedding, LkSliceLast, registerTextLayers } from './layers.js';

beforeAll(async () => {
  await initEngine();
  registerTextLayers();
});

/** The same hash in plain JS: the `radius` ids on each side, the position itself left out. */
function holeHash(ids: number[], radius: number, buckets: number, base: number): number[] {
  return ids.map((_, p) => {
    let h = 0;
    for (let o = -radius; o <= radius; o++) {
      if (o === 0) continue;
      const q = p + o;
      h = (h * base + (q >= 0 && q < ids.length ? ids[q] : 0)) % buckets;
    }
    return h;
  });
}

describe('LkHoleHash', () => {
  it('matches the plain-JS hash, and a gap shares its key with the character it hides', () => {
    const layer = new LkHoleHash({ radius: 3, buckets: 65521, base: 97 });
    const a = [10, 20, 30, 40, 50, 60, 70, 0, 0];
    const b = [10, 20, 30, 2, 50, 60, 70, 0, 0]; // position 3 is a gap (MASK id 2)
    const out = layer.apply(tf.tensor2d([a, b], [2, 9], 'int32')) as tf.Tensor;
    const [ka, kb] = out.arraySync() as number[][];
    out.dispose();
    expect(ka).toEqual(holeHash(a, 3, 65521, 97));
    expect(ka[3]).toBe(kb[3]);
    expect(ka[2]).not.toBe(kb[2]);
    expect(Math.max(...ka)).toBeLessThan(65521);
  });

  it('refuses sizes that would overflow int32', () => {
    expect(() => new LkHoleHash({ radius: 2, buckets: 2 ** 30, base: 97 })).toThrow(/2\^31/);
  });
});

describe('LkSliceLast and LkPositionEmbedding', () => {
  it('slice the last axis and add a learned table, and survive a serialization round trip', async () => {
    const input = tf.input({ shape: [4, 3] });
    const pos = new LkPositionEmbedding({ name: 'p', seed: 3 }).apply(input) as tf.SymbolicTensor;
    const out = new LkSliceLast({ name: 's', begin: 1, size: 2 }).apply(pos) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const x = tf.ones([2, 4, 3]);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 4, 2]);
    const saved: tf.io.ModelArtifacts[] = [];
    await model.save(tf.io.withSaveHandler(async (a) => (saved.push(a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const back = await tf.loadLayersModel(tf.io.fromMemory(saved[0]));
    const y2 = back.predict(x) as tf.Tensor;
    expect(Array.from(y2.dataSync())).toEqual(Array.from(y.dataSync()));
    tf.dispose([x, y, y2]);
    model.dispose();
    back.dispose();
  });
});
