/** `() => epoch ms` for the install flows; a test can drive time through it. */
export const INSTALLS_CLOCK = Symbol('INSTALLS_CLOCK');
export type Clock = () => number;
