/**
 * @file Lets 'auto' probe fits of any length in time (ort/step-core.ts, MIN_PROBED_MS): tests'
 * models step in well under a millisecond, and their fits of hundreds of steps last a fraction
 * of the floor.
 */
import { MIN_PROBED_MS, probeGate } from '../ort/step-core.js';

/** Runs `fn` with 'auto' probing however short the fit is in time. */
export async function probingShortFits<T>(fn: () => Promise<T>): Promise<T> {
  probeGate.ms = 0;
  try {
    return await fn();
  } finally {
    probeGate.ms = MIN_PROBED_MS;
  }
}
