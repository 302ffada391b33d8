/**
 * @file Demo, across modalities: linear CKA and mutual-kNN between the latent spaces of every
 * showcase's models, on whatever the codes share: the same inputs, or a concept their classes
 * name (digits between images and words; vowel sequences between synthetic speech and their
 * spelling; digits everywhere with MNIST and FSDD), each with a mismatched-class control.
 */
import { similarityMatrix, type CodeSet, type LabelledCodes, type Representation } from '@latentkit/core';
import type { OutputDir } from '../lib/output.js';
import type { ReportSection } from './report.js';
import type { StageRunner } from './stages.js';

/** Results of the cross-modal part, also written as `crossmodal.json`. */
export interface CrossModalResult {
  section: ReportSection;
  json: unknown;
}

/** What the cross-modal part compares and where it writes. */
export interface CrossModalInput {
  out: OutputDir;
  stages: StageRunner;
  /** Every showcase's codes; sets with the same name are one representation. */
  codes: readonly LabelledCodes[];
  perClass: number;
  k: number;
  seed: number;
}

/** Sets of the same name are one representation (a model's codes of several inputs). */
function representations(codes: readonly LabelledCodes[]): Representation[] {
  const byName = new Map<string, CodeSet[]>();
  for (const c of codes) byName.set(c.name, [...(byName.get(c.name) ?? []), { codes: c.codes, labels: c.labels, concept: c.concept, items: c.items }]);
  return [...byName].map(([name, sets]) => ({ name, sets }));
}

/**
 * Compares the latent spaces and writes `crossmodal.json`.
 * @param input the codes, sizes and output.
 * @returns the report section and the numbers.
 */
export async function runCrossModalPart(input: CrossModalInput): Promise<CrossModalResult> {
  return input.stages.run('cross-modal similarity', 5, async () => {
    const reps = representations(input.codes);
    const m = await similarityMatrix(reps, { perClass: input.perClass, k: input.k, seed: input.seed });
    const fmt = (v: number | undefined) => (v === undefined ? 'n/a' : v.toFixed(3));
    const matrixRows = (vals: (number | undefined)[][]) => m.names.map((n, i) => [n, ...vals[i].map(fmt)]);
    const unpaired: string[] = [];
    for (let i = 0; i < m.names.length; i++) {
      for (let j = i + 1; j < m.names.length; j++) if (m.cka[i][j] === undefined) unpaired.push(`${m.names[i]} – ${m.names[j]}`);
    }
    const json = {
      k: input.k,
      perClass: input.perClass,
      names: m.names,
      cka: m.cka,
      mutual_knn: m.mutualKnn,
      pairs: m.pairs,
    };
    await input.out.write('crossmodal.json', JSON.stringify(json, null, 2) + '\n');
    const section: ReportSection = {
      id: 'crossmodal',
      title: 'Across modalities',
      items: [
        {
          type: 'text',
          text:
            'How alike are the latent spaces? Linear CKA compares the similarity structure of two sets of codes (1 = the same up to rotation and scale); ' +
            `mutual kNN is the average overlap of each row's ${input.k} nearest neighbours in the two spaces. Rows must stand for the same thing: ` +
            'models that saw the same inputs are compared input by input; different modalities are compared on shared concepts, ' +
            `${input.perClass} rows per class, each row a sample of the same class on both sides (a picture of a 7 and a sentence with "seven"). ` +
            'Class-paired scores are high whenever both spaces cluster by class, so each comes with a control that pairs class c with class c+1: ' +
            'the score above the control is what the concepts themselves share. These models were trained separately, each on its own data, ' +
            'and nothing pushes their spaces to agree; a class-paired score near its control says that they share little beyond clustering.',
        },
        { type: 'table', className: 'matrix', caption: 'Linear CKA', header: ['', ...m.names], rows: matrixRows(m.cka) },
        { type: 'table', className: 'matrix', caption: `Mutual kNN (k=${input.k})`, header: ['', ...m.names], rows: matrixRows(m.mutualKnn) },
        {
          type: 'table',
          caption: 'What was paired',
          header: ['pair', 'pairing', 'rows', 'CKA', 'CKA control', 'mutual kNN', 'mutual kNN control'],
          rows: m.pairs.map((p) => [
            `${p.a} – ${p.b}`,
            p.pairing === 'same inputs' ? `same inputs: ${p.what}` : `by class: ${p.what}`,
            String(p.rows),
            p.cka,
            p.control ? p.control.cka : NaN,
            p.mutualKnn,
            p.control ? p.control.mutualKnn : NaN,
          ]),
        },
        ...(unpaired.length
          ? [
              {
                type: 'text' as const,
                text:
                  `Not compared (n/a): ${unpaired.join('; ')}. The embedded data has no concept these share ` +
                  '(the synthetic speech says vowel sequences, the synthetic images show digits); run `latentkit demo --data <folder>` with MNIST and FSDD to compare spoken and written digits.',
              },
            ]
          : []),
      ],
    };
    return { section, json };
  });
}
