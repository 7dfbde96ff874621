// onnxruntime-node, loaded the first time a model on this thread needs it: the daemon starts
// without it (about 100 ms and 7 MB) and most days it is first needed when a label is written
// or searched. The epoch encoder's thread imports it directly; this is for the main thread.
export type Ort = typeof import('onnxruntime-node');

let loading: Promise<Ort> | null = null;

export function onnxRuntime(): Promise<Ort> {
  loading ??= import('onnxruntime-node');
  return loading;
}
