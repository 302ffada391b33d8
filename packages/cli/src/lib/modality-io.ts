/**
 * @file What the commands do with a modality, through its descriptor only: find it by name or
 * by a model's config, encode with progress, pick a named part of the codes, and write
 * outputs (one file per output, or one file of lines) with the codec's overview figure.
 */
import { outputFileName, type Latent, type ModalityDescriptor, type ModelConfig, type OutputSink } from '@latentkit/core';
import { countProgress, type ProgressOptions } from './progress.js';
import { UsageError } from './usage-error.js';

/**
 * The registered modality called `name`.
 * @throws {UsageError} naming the modalities there are.
 */
export function modalityNamed(modalities: readonly ModalityDescriptor[], name: string): ModalityDescriptor {
  const d = modalities.find((m) => m.name === name);
  if (!d) {
    throw new UsageError(`'${name}' is not a modality here; the modalities are ${modalities.map((m) => m.name).join(', ')}.`, {
      hint: 'A modality from another package: --modality-package <package or path> (or LATENTKIT_MODALITY_PACKAGES).',
    });
  }
  return d;
}

/**
 * The modality of a loaded model (its config's `modality`).
 * @throws {UsageError} when no registered modality has that name.
 */
export function modalityOfModel(modalities: readonly ModalityDescriptor[], config: ModelConfig): ModalityDescriptor {
  const d = modalities.find((m) => m.name === config.modality);
  if (!d) {
    throw new UsageError(`${config.kind} models are of modality '${String(config.modality)}', which no loaded modality package handles.`, {
      hint: 'Name its package with --modality-package (or LATENTKIT_MODALITY_PACKAGES).',
    });
  }
  return d;
}

/** The part of a model {@link encodeWithProgress} needs. */
export interface EncoderLike<I> {
  encode(inputs: I[], options?: { parts?: readonly string[] }): Promise<Latent[]>;
}

/**
 * Encodes inputs in chunks, showing progress for long runs.
 * @param model any encoder.
 * @param inputs the inputs.
 * @param progress progress options.
 * @param chunk inputs per call. @default 256
 * @param parts the latent parts the caller will use (models may skip computing the others);
 *   undefined: all.
 * @returns one latent per input, in order.
 */
export async function encodeWithProgress<I>(model: EncoderLike<I>, inputs: readonly I[], progress: ProgressOptions, chunk = 256, parts?: readonly string[]): Promise<Latent[]> {
  const p = countProgress('encoding', inputs.length, progress);
  const out: Latent[] = [];
  try {
    for (let s = 0; s < inputs.length; s += chunk) {
      const part = inputs.slice(s, s + chunk);
      out.push(...(await model.encode(part, parts ? { parts } : {})));
      p.tick(part.length);
    }
  } finally {
    p.stop();
  }
  return out;
}

/**
 * Each latent's part `part` of modality `modality` (see its `parts`).
 * @throws {UsageError} when the modality has no such part, or a latent lacks it.
 */
export function selectNamedPart(modalities: readonly ModalityDescriptor[], modality: ModalityDescriptor, latents: readonly Latent[], part: string): Latent[] {
  const spec = modality.parts.find((p) => p.name === part);
  if (!spec) {
    const owners = modalities.filter((m) => m.parts.some((p) => p.name === part)).map((m) => m.name);
    throw new UsageError(
      owners.length
        ? `--part ${part} applies to ${owners.join(', ')} only.`
        : `--part ${part} is not a part of ${modality.name} codes (parts: ${modality.parts.map((p) => p.name).join(', ') || 'none'}).`,
    );
  }
  return latents.map((l, i) => {
    const p = l.parts?.[spec.latentPart];
    if (!p) throw new UsageError(`Latent ${i} has no '${spec.latentPart}' part; --part ${part} needs a model whose codes have it (${spec.describe}).`);
    return p;
  });
}

/** Options of {@link writeOutputs}. */
export interface WriteOutputsOptions<S> {
  /** What the outputs are: names the single file of a `line` codec (`decoded.txt`). */
  kind: 'decoded' | 'reconstructions';
  /** One name per output (its input file), for per-output file names; default: `kind`. */
  names?: readonly string[];
  /** The inputs, shown above the outputs in the overview figure. */
  inputs?: readonly S[];
  /** Digits of the index in per-output file names. @default 4 */
  width?: number;
}

/**
 * Writes outputs with the modality's codec: one file per output named after its input (or
 * one file holding them all, for a `line` codec), plus the codec's overview figure if it has
 * one (`grid.png` for images).
 * @returns the files written.
 */
export async function writeOutputs<S, O>(modality: ModalityDescriptor<S, O>, out: OutputSink, outputs: readonly O[], options: WriteOutputsOptions<S>): Promise<string[]> {
  const { codec } = modality;
  const encoded = await codec.encode(outputs);
  const written: string[] = [];
  if (codec.unit === 'line') {
    for (const f of encoded) written.push(await out.write(`${options.kind}${f.extension}`, f.bytes));
  } else {
    for (let i = 0; i < encoded.length; i++) {
      written.push(await out.write(outputFileName(i, options.names?.[i] ?? options.kind, encoded[i].extension, options.width), encoded[i].bytes));
    }
  }
  if (codec.overview && outputs.length > 0) {
    const label = options.kind === 'decoded' ? 'decoded' : 'reconstruction';
    const rows = options.inputs ? [{ label: 'input', items: options.inputs }, { label, items: outputs }] : [{ label, items: outputs }];
    const figure = await codec.overview(rows);
    written.push(await out.write(`grid${figure.extension}`, figure.bytes));
  }
  return written;
}
