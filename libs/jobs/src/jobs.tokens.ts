/** Injection token of the service's `JobsRuntime`. */
export const JOBS_RUNTIME = Symbol('JOBS_RUNTIME');
