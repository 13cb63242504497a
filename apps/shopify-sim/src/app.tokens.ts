/** Injection token for the logger `main.ts` builds before Nest starts (the configuration: SERVICE_CONFIG). */
export const SIM_LOGGER = Symbol('SIM_LOGGER');
