import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine, tf } from '@latentkit/core';
import { LkHoleHash, LkPositionEmbedding, LkSliceLast, LkWordBag, registerTextLayers } from './layers.js';
import { CharVocabulary, defaultCharacters } from './vocabulary.js';

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

  it('with boundaries, keys the rest of the word only (a lexicon entry with a hole)', () => {
    const SPACE = 3;
    const layer = new LkHoleHash({ radius: 7, buckets: 49157, base: 97, boundaries: [SPACE] });
    // "ab cde fg" with ids: a=10 b=11 space c=12 d=13 e=14 space f=15 g=16
    const a = [10, 11, SPACE, 12, 13, 14, SPACE, 15, 16, 0];
    const b = [20, 21, SPACE, 12, 13, 14, SPACE, 25, 26, 0]; // other words around "cde"
    const out = layer.apply(tf.tensor2d([a, b], [2, 10], 'int32')) as tf.Tensor;
    const [ka, kb] = out.arraySync() as number[][];
    out.dispose();
    const ref = (ids: number[], p: number) => {
      let h = 0;
      for (const dir of [-1, 1]) {
        let open = true;
        for (let k = 1; k <= 7; k++) {
          const q = p + dir * k;
          const c = q >= 0 && q < ids.length ? ids[q] : 0;
          open = open && c !== 0 && c !== SPACE;
          h = (h * 97 + (open ? c : 0)) % 49157;
        }
      }
      return h;
    };
    expect(ka).toEqual(a.map((_, p) => ref(a, p)));
    // The middle word's keys do not depend on the neighbouring words.
    expect(ka.slice(3, 6)).toEqual(kb.slice(3, 6));
    expect(ka[0]).not.toBe(kb[0]);
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

describe('LkWordBag', () => {
  const vocab = new CharVocabulary(defaultCharacters());
  // Letters and digits fold to lower case, everything else separates words.
  const fold = Array.from({ length: vocab.size }, (_, id) => {
    const ch = vocab.charOf(id);
    return /^[a-z0-9]$/i.test(ch) ? vocab.idOf(ch.toLowerCase()) : 0;
  });
  const ids = (texts: string[]) => {
    const data = new Int32Array(texts.length * 32);
    texts.forEach((t, i) => vocab.textToIds(t, 32, data.subarray(i * 32, (i + 1) * 32)));
    return tf.tensor2d(data, [texts.length, 32], 'int32');
  };

  it('gives one key per word, blind to case, punctuation and word order', () => {
    const layer = new LkWordBag({ buckets: 4099, dim: 8, fold, stddev: 1, seed: 2 });
    const x = ids(['the cat sat.', 'Sat, the CAT', 'the dog sat', 'cat', 'a catalogue']);
    const { keys, ends } = layer.wordKeys(x);
    expect(Array.from(ends.arraySync()[0].entries()).filter(([, v]) => v === 1).map(([i]) => i)).toEqual([2, 6, 10]);
    const k = keys[0].arraySync();
    const wordKeys = (row: number) => ends.arraySync()[row].flatMap((v, i) => (v === 1 ? [k[row][i]] : []));
    expect(wordKeys(1).sort()).toEqual(wordKeys(0).sort());
    expect(wordKeys(3)).toEqual([wordKeys(0)[1]]); // "cat" alone keys as the cat of "the cat sat"
    expect(wordKeys(4)).not.toContain(wordKeys(3)[0]); // "catalogue" is another word, not "cat" + more
    expect(keys[1].arraySync()[0][2]).not.toBe(k[0][2]); // the second hash is another function
    const out = layer.apply(x) as tf.Tensor2D;
    const [a, b, c] = out.arraySync();
    expect(out.shape).toEqual([5, 8]);
    b.forEach((v, i) => expect(v).toBeCloseTo(a[i], 5));
    expect(Math.max(...c.map((v, i) => Math.abs(v - a[i])))).toBeGreaterThan(1e-3);
    tf.dispose([x, keys, ends, out]);
  });

  it('starts at zero, learns through its table, and survives a serialization round trip', async () => {
    const input = tf.input({ shape: [32], dtype: 'int32' });
    const out = new LkWordBag({ name: 'w', buckets: 1031, dim: 4, fold }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const x = ids(['one two three', 'four']);
    const y0 = model.predict(x) as tf.Tensor;
    expect(Math.max(...Array.from(y0.dataSync()).map(Math.abs))).toBe(0);
    const table = model.getLayer('w').trainableWeights[0];
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(tf.sub(model.apply(x) as tf.Tensor, 1))) as tf.Scalar, [table.read() as tf.Variable]);
    const g = Object.values(grads)[0];
    expect(tf.sum(tf.abs(g)).dataSync()[0]).toBeGreaterThan(0);
    table.write(tf.randomNormal(table.shape, 0, 1, 'float32', 4));
    const y = model.predict(x) as tf.Tensor;
    const saved: tf.io.ModelArtifacts[] = [];
    await model.save(tf.io.withSaveHandler(async (a) => (saved.push(a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const back = await tf.loadLayersModel(tf.io.fromMemory(saved[0]));
    const y2 = back.predict(x) as tf.Tensor;
    expect(Array.from(y2.dataSync())).toEqual(Array.from(y.dataSync()));
    tf.dispose([x, y0, y, y2, grads]);
    model.dispose();
    back.dispose();
  });

  it('refuses a bad table or fold', () => {
    expect(() => new LkWordBag({ buckets: 1, dim: 4, fold })).toThrow(/buckets/);
    expect(() => new LkWordBag({ buckets: 64, dim: 4, fold: [0, 5, 1] })).toThrow(/fold/);
  });
});
