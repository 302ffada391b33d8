#!/usr/bin/env python3
"""Reads CMU Sphinx's binary trie language model (Debian's pocketsphinx-en-us: en-us.lm.bin, a
US English trigram model, BSD-2) and writes its n-grams, pruned, as raw tables for
add-word-prior.ts (called by it). sphinx_lm_convert cannot write this file back as ARPA (an
assertion fails on the dummy bigrams the trie inserts), so the trie is read here, following
the layout of sphinxbase's lm_trie.c and lm_trie_quant.c: header, 16-bit quantisation tables,
unigrams {prob, backoff, next}, bit-packed bigram and trigram records (stored last word first),
then the word strings. Values are log base 1.0001.

Pruning (after Seymore and Rosenfeld 1996): each n-gram is scored by its joint probability
times how far its log-probability is from what the backoff would give, `p(h, w) * |log p(w | h)
- log p_backoff(w | h)|` (its share of the relative entropy the pruning costs), and the best
BIGRAMS and TRIGRAMS are kept (bigrams that are the history of a kept trigram as well).
Backoff weights are left as the model had them: the pruned n-grams are those the backoff
already predicts well or that are rarely met, so little probability mass moves.

Usage: convert-sphinx-lm.py LM_BIN OUT_DIR BIGRAMS TRIGRAMS
Writes OUT_DIR/words.json and OUT_DIR/{unigram,backoff,bigram_context,bigram_word,
bigram_logprob,bigram_backoff,trigram_bigram,trigram_word,trigram_logprob}.bin
(float32 / uint32, little-endian). Needs numpy.
"""
import json
import struct
import sys

import numpy as np

LN_BASE = np.log(1.0001)


def read_bits(mem, offsets, bits):
    offsets = np.asarray(offsets, dtype=np.int64)
    byte = offsets >> 3
    v = np.zeros(len(offsets), dtype=np.uint64)
    for i in range(8):
        v |= mem[byte + i].astype(np.uint64) << np.uint64(8 * i)
    return ((v >> (offsets & 7).astype(np.uint64)) & np.uint64((1 << bits) - 1)).astype(np.int64)


def main(path, out, n_bigrams, n_trigrams):
    n_bigrams, n_trigrams = int(n_bigrams), int(n_trigrams)
    raw = open(path, 'rb').read()
    hdr = b'Trie Language Model'
    if raw[:len(hdr)] != hdr:
        sys.exit(f'{path} is not a sphinx trie language model')
    p = len(hdr)
    order = raw[p]
    p += 1
    counts = struct.unpack_from(f'<{order}I', raw, p)
    p += 4 * order
    if order != 3:
        sys.exit(f'expected a trigram model, got order {order}')
    p += 4  # unused int
    nb = 1 << 16
    tables = []
    for _ in range(3):  # bigram prob, bigram backoff, trigram prob
        tables.append(np.frombuffer(raw, dtype='<f4', count=nb, offset=p).astype(np.float64) * LN_BASE)
        p += 4 * nb
    uni = np.frombuffer(raw, dtype=np.dtype([('prob', '<f4'), ('bo', '<f4'), ('next', '<u4')]), count=counts[0] + 1, offset=p)
    p += 12 * (counts[0] + 1)
    V = counts[0]
    word_bits = V.bit_length()
    next_bits = counts[2].bit_length()
    mid_total = word_bits + 32 + next_bits
    mid_size = ((1 + counts[1]) * mid_total + 7) // 8 + 8
    mid = np.frombuffer(raw, dtype=np.uint8, count=mid_size, offset=p)
    p += mid_size
    long_total = word_bits + 16
    long_size = ((1 + counts[2]) * long_total + 7) // 8 + 8
    lng = np.frombuffer(raw, dtype=np.uint8, count=long_size, offset=p)
    p += long_size
    k = struct.unpack_from('<i', raw, p)[0]
    p += 4
    words = [w.decode('latin1') for w in raw[p:p + k].split(b'\0')[:-1]]
    if len(words) != V or p + k != len(raw):
        sys.exit('unexpected layout: word strings do not match the counts')

    u_lp = uni['prob'][:V].astype(np.float64) * LN_BASE
    u_bo = uni['bo'][:V].astype(np.float64) * LN_BASE
    nxt = uni['next'].astype(np.int64)
    n2 = int(nxt[-1])
    ptr = np.arange(n2 + 1, dtype=np.int64)
    o = ptr * mid_total
    b_ctx = read_bits(mid, o[:-1], word_bits)                       # v
    b_word = np.repeat(np.arange(V), np.diff(nxt))                  # w (the trie's root)
    b_bo = tables[1][read_bits(mid, o[:-1] + word_bits, 16)]
    b_lp = tables[0][read_bits(mid, o[:-1] + word_bits + 16, 16)]
    t_next = read_bits(mid, o + word_bits + 32, next_bits)
    n3 = int(t_next[-1])
    t_off = np.arange(n3, dtype=np.int64) * long_total
    t_first = read_bits(lng, t_off, word_bits)                      # u
    t_lp = tables[2][read_bits(lng, t_off + word_bits, 16)]
    t_mid = np.repeat(np.arange(n2), np.diff(t_next))               # the (v, w) record
    print(f'{V} words, {n2} bigram records, {n3} trigrams', flush=True)

    # Bigram "v w" lookup by key v * V + w.
    b_key = b_ctx * V + b_word
    order_b = np.argsort(b_key, kind='stable')
    b_key_sorted = b_key[order_b]

    def bigram_index(ctx, word):
        key = ctx * V + word
        i = np.searchsorted(b_key_sorted, key)
        i = np.minimum(i, len(b_key_sorted) - 1)
        found = b_key_sorted[i] == key
        return np.where(found, order_b[i], -1)

    # Trigram u v w: its backoff prediction is bo(u v) + p(w | v).
    t_v, t_w = b_ctx[t_mid], b_word[t_mid]
    uv = bigram_index(t_first, t_v)
    bo_uv = np.where(uv >= 0, b_bo[np.maximum(uv, 0)], 0.0)
    # Every stored trigram's history is a stored bigram in a well-formed model; skip any that is not.
    score3 = np.where(uv >= 0, np.exp(u_lp[t_first] + b_lp[np.maximum(uv, 0)] + t_lp) * np.abs(t_lp - (bo_uv + b_lp[t_mid])), -1.0)
    keep3 = np.zeros(n3, dtype=bool)
    keep3[np.argsort(-score3, kind='stable')[:n_trigrams]] = True
    keep3 &= uv >= 0
    score2 = np.exp(u_lp[b_ctx] + b_lp) * np.abs(b_lp - (u_bo[b_ctx] + u_lp[b_word]))
    keep2 = np.zeros(n2, dtype=bool)
    keep2[np.argsort(-score2, kind='stable')[:n_bigrams]] = True
    keep2[uv[keep3]] = True
    print(f'kept {keep2.sum()} bigrams, {keep3.sum()} trigrams', flush=True)

    kb = np.nonzero(keep2)[0]
    kb = kb[np.lexsort((b_word[kb], b_ctx[kb]))]
    new_index = -np.ones(n2, dtype=np.int64)
    new_index[kb] = np.arange(len(kb))
    kt = np.nonzero(keep3)[0]
    t_b = new_index[uv[kt]]
    kt = kt[np.lexsort((t_w[kt], t_b))]
    t_b = new_index[uv[kt]]

    def save(name, arr, dtype):
        np.asarray(arr).astype(dtype).tofile(f'{out}/{name}.bin')

    json.dump(words, open(f'{out}/words.json', 'w'))
    save('unigram', u_lp, '<f4')
    save('backoff', u_bo, '<f4')
    save('bigram_context', b_ctx[kb], '<u4')
    save('bigram_word', b_word[kb], '<u4')
    save('bigram_logprob', b_lp[kb], '<f4')
    save('bigram_backoff', b_bo[kb], '<f4')
    save('trigram_bigram', t_b, '<u4')
    save('trigram_word', t_w[kt], '<u4')
    save('trigram_logprob', t_lp[kt], '<f4')


if __name__ == '__main__':
    main(*sys.argv[1:5])
