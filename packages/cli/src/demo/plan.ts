/**
 * @file How big each demo stage is. The full demo is sized to finish in about three minutes
 * on 2 cores (the limit is five): every training stage has a hard time budget, and the fixed
 * work (data, figures, Griffin-Lim) is small. `--quick` shrinks everything for tests.
 */

/** Sizes and budgets of one demo run. */
export interface DemoPlan {
  quick: boolean;
  /** Training images and held-out images. */
  imageTrain: number;
  imageTest: number;
  /** Epoch caps and time budgets (s) of the three image models. */
  convEpochs: number;
  convSeconds: number;
  denoiseEpochs: number;
  denoiseSeconds: number;
  vaeEpochs: number;
  vaeSeconds: number;
  /** Synthetic speech: speakers, training and held-out utterances per speaker. */
  speakers: number;
  utterances: number;
  testUtterances: number;
  /** FSDD clips for training with --data. */
  fsddTrain: number;
  audioEpochs: number;
  audioSeconds: number;
  /** Budget of the short sentence-autoencoder fit (used when the shipped model is missing). */
  textFitSeconds: number;
  textFitEpochs: number;
  /** Samples per class in cross-modal comparisons. */
  perClass: number;
  /** Neighbours of the mutual-kNN score. */
  k: number;
}

/**
 * The plan for a run.
 * @param quick tiny budgets (tests, smoke runs).
 * @param realData whether `--data` is used (bigger sets, same budgets).
 * @returns the plan.
 */
export function demoPlan(quick: boolean, realData: boolean): DemoPlan {
  if (quick) {
    return {
      quick,
      imageTrain: 300,
      imageTest: 100,
      convEpochs: 2,
      convSeconds: 4,
      denoiseEpochs: 1,
      denoiseSeconds: 3,
      vaeEpochs: 1,
      vaeSeconds: 3,
      speakers: 3,
      utterances: 4,
      testUtterances: 4,
      fsddTrain: 60,
      audioEpochs: 2,
      audioSeconds: 4,
      textFitSeconds: 4,
      textFitEpochs: 1,
      perClass: 4,
      k: 3,
    };
  }
  return {
    quick,
    imageTrain: realData ? 6000 : 3000,
    imageTest: 400,
    convEpochs: 20,
    convSeconds: 30,
    denoiseEpochs: 15,
    denoiseSeconds: 32,
    vaeEpochs: 20,
    vaeSeconds: 37,
    speakers: 8,
    utterances: 16,
    testUtterances: 8,
    fsddTrain: 600,
    audioEpochs: 60,
    audioSeconds: 42,
    textFitSeconds: 25,
    textFitEpochs: 30,
    perClass: 20,
    k: 10,
  };
}
