/** Where this process is in its life, shared by the shutdown sequence and the health service. */
export interface Lifecycle {
  /** True from the stop signal on: /readyz answers 503 so balancers stop sending new requests. */
  stopping: boolean
}

/** A lifecycle for a process that has just started. */
export function startedLifecycle(): Lifecycle {
  return { stopping: false }
}
