/** Injection tokens for what `main.ts` builds before Nest starts (config, logger). */
export const SIM_CONFIG = Symbol('SIM_CONFIG');
export const SIM_LOGGER = Symbol('SIM_LOGGER');
