// A small builder for ONNX graphs written from JS with onnx-proto (the protobuf schema of ONNX
// 1.10): constants become initializers, every op gets a generated output name, and `encode`
// returns the serialized ModelProto. Opset 13 / IR 7 is what onnxruntime-node 1.30 reads
// without conversion, and every op used by the built-in encoders exists there unchanged.
//
// Output is deterministic: the same calls give the same bytes (no timestamps, no random names).
import { createRequire } from 'node:module';
import type onnxProtoModule from 'onnx-proto';

type Onnx = typeof onnxProtoModule.onnx;
// The schema (protobufjs and every ONNX message type) is loaded on the first graph built, not when
// a module that only names a built-in model is imported at start-up.
let loaded: Onnx | null = null;
const protoOf = (): Onnx => (loaded ??= (createRequire(import.meta.url)('onnx-proto') as typeof onnxProtoModule).onnx);

export const OPSET = 13;
export const IR_VERSION = 7;

const FLOAT = 1;
const INT64 = 7;

/** A dimension: a fixed size, or a name for one the caller chooses (e.g. the channel count). */
export type Dim = number | string;

export interface TensorIo {
  name: string;
  dims: Dim[];
  /** Element type; float32 unless said (token ids and masks are int64). */
  type?: 'float32' | 'int64';
}

type Attr = number | number[] | string;

export class OnnxGraph {
  readonly #nodes: InstanceType<Onnx['NodeProto']>[] = [];
  readonly #initializers: InstanceType<Onnx['TensorProto']>[] = [];
  #counter = 0;

  /** A float32 constant; `values` is row-major over `dims`. */
  floats(name: string, dims: number[], values: ArrayLike<number>): string {
    const data = Float32Array.from(values);
    if (data.length !== dims.reduce((a, b) => a * b, 1)) throw new RangeError(`constant ${name}: ${data.length} values for dims ${dims.join('×')}`);
    this.#initializers.push(protoOf().TensorProto.create({ name, dims, dataType: FLOAT, rawData: littleEndianBytes(data) }));
    return name;
  }

  /** An int64 constant (shapes, axes, indices). */
  ints(name: string, dims: number[], values: ArrayLike<number>): string {
    const data = BigInt64Array.from(Array.from(values, (v) => BigInt(v)));
    this.#initializers.push(protoOf().TensorProto.create({ name, dims, dataType: INT64, rawData: littleEndianBytes(data) }));
    return name;
  }

  /** Adds a node; returns its (first) output's name: `out` when given, else a generated one. */
  op(opType: string, inputs: string[], attrs: Record<string, Attr> = {}, out?: string): string {
    const output = out ?? `${opType.toLowerCase()}_${this.#counter++}`;
    this.#nodes.push(
      protoOf().NodeProto.create({
        opType,
        input: inputs,
        output: [output],
        name: output,
        attribute: Object.entries(attrs).map(([name, v]) => attribute(name, v)),
      }),
    );
    return output;
  }

  encode(spec: { name: string; doc: string; inputs: TensorIo[]; outputs: TensorIo[]; metadata: Record<string, string> }): Uint8Array {
    const onnx = protoOf();
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: 'skill-daemon',
      producerVersion: '1',
      docString: spec.doc,
      metadataProps: Object.entries(spec.metadata).map(([key, value]) => ({ key, value })),
      graph: onnx.GraphProto.create({
        name: spec.name,
        node: this.#nodes,
        initializer: this.#initializers,
        input: spec.inputs.map(valueInfo),
        output: spec.outputs.map(valueInfo),
      }),
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(io: TensorIo) {
  return protoOf().ValueInfoProto.create({
    name: io.name,
    type: { tensorType: { elemType: io.type === 'int64' ? INT64 : FLOAT, shape: { dim: io.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
}

function attribute(name: string, v: Attr) {
  const onnx = protoOf();
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return onnx.AttributeProto.create({ name, type: T.STRING, s: new TextEncoder().encode(v) });
  if (Array.isArray(v)) return onnx.AttributeProto.create({ name, type: T.INTS, ints: v });
  return Number.isInteger(v) ? onnx.AttributeProto.create({ name, type: T.INT, i: v }) : onnx.AttributeProto.create({ name, type: T.FLOAT, f: v });
}

/** ONNX raw_data is little-endian whatever the host; typed arrays use the host's order. */
function littleEndianBytes(data: Float32Array | BigInt64Array): Uint8Array {
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  if (data instanceof Float32Array) data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  else data.forEach((v, i) => view.setBigInt64(i * 8, v, true));
  return out;
}
