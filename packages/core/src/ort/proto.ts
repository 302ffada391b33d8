/**
 * @file A minimal protobuf writer for ONNX `ModelProto`: just the messages and fields a
 * training-step graph needs (graph, nodes, attributes, tensors, value infos). Writing ~150
 * lines here beats a protobufjs schema dependency: the compiler only ever writes, never reads,
 * and the field numbers below are the stable ones of onnx/onnx.proto3.
 */

/** ONNX `TensorProto.DataType` codes of the element types the compiler emits. */
export const ONNX_DTYPE = { float32: 1, uint8: 2, int32: 6, int64: 7, bool: 9 } as const;
export type OnnxDType = keyof typeof ONNX_DTYPE;

/** A tensor literal: an initializer or a `value` attribute of a Constant. */
export interface TensorLiteral {
  name?: string;
  dtype: OnnxDType;
  shape: number[];
  data: Float32Array | Int32Array | BigInt64Array | Uint8Array;
}

/** Attribute values: numbers become INT unless `float` is set; arrays INTS/FLOATS. */
export type AttributeValue =
  | { i: number }
  | { f: number }
  | { s: string }
  | { ints: number[] }
  | { floats: number[] }
  | { t: TensorLiteral }
  | { g: GraphSpec };

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attrs?: Record<string, AttributeValue>;
}

/** A value's name and type; a dimension of -1 is symbolic (`dim_param`, named by {@link SYMBOLIC_DIM}). */
export interface ValueInfoSpec {
  name: string;
  dtype: OnnxDType;
  shape: number[];
}

/** The name of every symbolic dimension written (the steps of a multi-step run, multi-step.ts). */
export const SYMBOLIC_DIM = 'steps';

/** A graph: the model's own, or a subgraph attribute (a Loop's body). */
export interface GraphSpec {
  graphName: string;
  nodes: NodeSpec[];
  initializers: TensorLiteral[];
  inputs: ValueInfoSpec[];
  outputs: ValueInfoSpec[];
}

export interface ModelSpec extends GraphSpec {
  opset: number;
  irVersion: number;
  producer: string;
}

/** Growable byte buffer with protobuf's wire encodings. */
class Writer {
  private buf = new Uint8Array(256);
  private len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** Unsigned or negative (two's complement, 10 bytes) varint of a safe integer. */
  varint(v: number): void {
    if (v < 0) {
      let b = BigInt.asUintN(64, BigInt(v));
      this.ensure(10);
      for (let i = 0; i < 10; i++) {
        const byte = Number(b & 0x7fn);
        b >>= 7n;
        this.buf[this.len++] = b === 0n ? byte : byte | 0x80;
        if (b === 0n) return;
      }
      return;
    }
    this.ensure(10);
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.len++] = v;
  }

  tag(field: number, wire: 0 | 1 | 2 | 5): void {
    this.varint(field * 8 + wire);
  }

  bytes(field: number, data: Uint8Array): void {
    this.tag(field, 2);
    this.varint(data.length);
    this.ensure(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  string(field: number, s: string): void {
    this.bytes(field, new TextEncoder().encode(s));
  }

  int(field: number, v: number): void {
    this.tag(field, 0);
    this.varint(v);
  }

  float(field: number, v: number): void {
    this.tag(field, 5);
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 4).setFloat32(0, v, true);
    this.len += 4;
  }

  message(field: number, write: (w: Writer) => void): void {
    const w = new Writer();
    write(w);
    this.bytes(field, w.finish());
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

function rawBytes(t: TensorLiteral): Uint8Array {
  const d = t.data;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

function writeTensor(w: Writer, t: TensorLiteral): void {
  for (const d of t.shape) w.int(1, d); // dims (unpacked repeated int64 is valid protobuf)
  w.int(2, ONNX_DTYPE[t.dtype]);
  if (t.name) w.string(8, t.name);
  w.bytes(9, rawBytes(t)); // raw_data, little-endian as ONNX specifies
}

function writeAttribute(w: Writer, name: string, a: AttributeValue): void {
  w.string(1, name);
  if ('i' in a) {
    w.int(3, a.i);
    w.int(20, 2);
  } else if ('f' in a) {
    w.float(2, a.f);
    w.int(20, 1);
  } else if ('s' in a) {
    w.string(4, a.s);
    w.int(20, 3);
  } else if ('t' in a) {
    w.message(5, (m) => writeTensor(m, a.t));
    w.int(20, 4);
  } else if ('g' in a) {
    w.message(6, (m) => writeGraph(m, a.g));
    w.int(20, 5);
  } else if ('ints' in a) {
    for (const v of a.ints) w.int(8, v);
    w.int(20, 7);
  } else {
    for (const v of a.floats) w.float(7, v);
    w.int(20, 6);
  }
}

function writeValueInfo(w: Writer, v: ValueInfoSpec): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, ONNX_DTYPE[v.dtype]);
      tensor.message(2, (shape) => {
        for (const d of v.shape) shape.message(1, (dim) => (d < 0 ? dim.string(2, SYMBOLIC_DIM) : dim.int(1, d)));
      });
    }),
  );
}

function writeGraph(g: Writer, m: GraphSpec): void {
  m.nodes.forEach((n, i) =>
    g.message(1, (nw) => {
      for (const x of n.inputs) nw.string(1, x);
      for (const y of n.outputs) nw.string(2, y);
      // Node names are unique per graph; a subgraph's are prefixed with its graph's name.
      nw.string(3, n.name ?? `${m.graphName}_n${i}_${n.op}`);
      nw.string(4, n.op);
      for (const [k, v] of Object.entries(n.attrs ?? {})) nw.message(5, (aw) => writeAttribute(aw, k, v));
    }),
  );
  g.string(2, m.graphName);
  for (const t of m.initializers) g.message(5, (tw) => writeTensor(tw, t));
  for (const v of m.inputs) g.message(11, (vw) => writeValueInfo(vw, v));
  for (const v of m.outputs) g.message(12, (vw) => writeValueInfo(vw, v));
}

/** Serialises a model to ONNX protobuf bytes that `InferenceSession.create` accepts. */
export function encodeModel(m: ModelSpec): Uint8Array {
  const w = new Writer();
  w.int(1, m.irVersion);
  w.string(2, m.producer);
  w.message(7, (g) => writeGraph(g, m));
  w.message(8, (o) => {
    o.string(1, '');
    o.int(2, m.opset);
  });
  return w.finish();
}
