/**
 * @file JSON answers that carry codes. `JSON.stringify(Array.from(float32Array))` first boxes every
 * value into a JS array, then prints each as the shortest decimal of the *float64* it became
 * (17 digits for most float32 values). Here a Float32Array is printed straight from the typed
 * array with 9 significant digits, which is enough for every float32 to read back to the same
 * float32 (IEEE 754: 9 digits round-trip binary32), zeros as `0`: on the text model's 6,444-wide
 * meaning codes the server spent about twice the CPU per JSON request as per `.npy` one, and
 * for dense codes the text is a third shorter.
 */

/** One float32 as JSON: 9 significant digits (round-trips to the same float32); non-finite -> null, as JSON.stringify does. */
function float32Text(v: number): string {
  if (v === 0) return '0';
  return Number.isFinite(v) ? v.toPrecision(9) : 'null';
}

/** A Float32Array as a JSON array of numbers. */
export function float32ArrayJson(xs: Float32Array): string {
  if (xs.length === 0) return '[]';
  let s = '[' + float32Text(xs[0]);
  for (let i = 1; i < xs.length; i++) s += ',' + float32Text(xs[i]);
  return s + ']';
}

/**
 * JSON text of `value`, as `JSON.stringify` writes it, except that Float32Arrays are written as
 * arrays of numbers (see {@link float32ArrayJson}) rather than as objects keyed by index.
 * Plain objects, arrays and JSON values only (no toJSON, no replacer).
 */
export function stringifyWithFloat32(value: unknown): string {
  if (value instanceof Float32Array) return float32ArrayJson(value);
  if (Array.isArray(value)) {
    // As JSON.stringify: undefined and functions in an array become null.
    return '[' + value.map((v) => (v === undefined || typeof v === 'function' ? 'null' : stringifyWithFloat32(v))).join(',') + ']';
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const fields: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined || typeof v === 'function') continue;
      fields.push(JSON.stringify(k) + ':' + stringifyWithFloat32(v));
    }
    return '{' + fields.join(',') + '}';
  }
  return JSON.stringify(value);
}
