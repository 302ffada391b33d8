/**
 * @file Concepts several modalities name, kept once: a spoken digit's label (FSDD), the
 * words a sentence about a digit uses, and the class names an image set of digits carries
 * all refer to the same ten words.
 */

/** English words of the digits, index = digit. */
export const DIGIT_WORDS: readonly string[] = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
