import { ONNX_DOUBLE, ONNX_FLOAT, ONNX_INT64, type AttributeValue, type OnnxInitializer, type OnnxModel, type OnnxNode, type OnnxValueInfo } from './onnxProto';

/** A float32 weight that goes to the external data file, in the layout the graph uses. */
export interface GraphWeight {
  name: string;
  dims: number[];
  data: Float32Array;
}

/**
 * Collects nodes, small constants (inline) and weights (external data) with unique names. Weights are kept as the
 * caller's Float32Arrays until `onnxModelFiles` writes them: nothing is copied here.
 */
export class OnnxGraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly constants: OnnxInitializer[] = [];
  readonly weights: GraphWeight[] = [];
  readonly inputs: OnnxValueInfo[] = [];
  readonly outputs: OnnxValueInfo[] = [];
  private counter = 0;

  /** `elemType` ONNX_DOUBLE builds the same graph in float64 (finite-difference tests); weights stay float32. */
  constructor(readonly elemType: typeof ONNX_FLOAT | typeof ONNX_DOUBLE = ONNX_FLOAT) {}

  private fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  input(name: string, dims: (number | string)[]): string {
    this.inputs.push({ name, elemType: this.elemType, dims });
    return name;
  }

  /** Declares `value` as a graph output under `name` (an Identity node when the names differ). */
  output(name: string, value: string, dims: (number | string)[]): void {
    if (value !== name) this.nodes.push({ op: 'Identity', inputs: [value], outputs: [name], name: `out_${name}` });
    this.outputs.push({ name, elemType: this.elemType, dims });
  }

  weight(name: string, dims: number[], data: Float32Array): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (data.length !== size) throw new Error(`weight ${name}: ${data.length} values for shape [${dims.join(', ')}]`);
    this.weights.push({ name, dims, data });
    return name;
  }

  /** An int64 constant; `dims` [] makes a scalar of one value. */
  ints(values: number[], dims: number[] = [values.length], name = this.fresh('const_i64')): string {
    const raw = new Uint8Array(values.length * 8);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
    this.constants.push({ name, dims, dataType: ONNX_INT64, raw });
    return name;
  }

  /** A scalar of the graph's element type (float32 unless built in float64). */
  scalar(value: number, name = this.fresh('const_f32')): string {
    const double = this.elemType === ONNX_DOUBLE;
    const raw = new Uint8Array(double ? 8 : 4);
    if (double) new DataView(raw.buffer).setFloat64(0, value, true);
    else new DataView(raw.buffer).setFloat32(0, value, true);
    this.constants.push({ name, dims: [], dataType: this.elemType, raw });
    return name;
  }

  op(op: string, inputs: string[], attributes?: Record<string, AttributeValue>, output?: string): string {
    const out = output ?? this.fresh(op.toLowerCase());
    this.nodes.push({ op, inputs, outputs: [out], name: `${op}_${this.counter++}`, ...(attributes ? { attributes } : {}) });
    return out;
  }

  /** x·W (+ b): MatMul then Add (ORT fuses them into one Gemm when x is 2-D, not when it has a symbolic batch axis ahead; a Gemm over (batch·T, D) rows measured 2× slower on the forward, see git log d0bbd28). */
  dense(x: string, w: string, b: string | null): string {
    const y = this.op('MatMul', [x, w]);
    return b ? this.op('Add', [y, b]) : y;
  }

  model(graphName: string, producerVersion: string, externalFile: string, offsets: Map<string, { offset: number; length: number }>): OnnxModel {
    const initializers: OnnxInitializer[] = [
      ...this.constants,
      ...this.weights.map((w): OnnxInitializer => {
        const at = offsets.get(w.name);
        if (!at) throw new Error(`weight ${w.name} has no place in the data file`);
        return { name: w.name, dims: w.dims, dataType: ONNX_FLOAT, external: { location: externalFile, ...at } };
      }),
    ];
    return { graphName, nodes: this.nodes, initializers, inputs: this.inputs, outputs: this.outputs, opset: 17, producerVersion };
  }
}
