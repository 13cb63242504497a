/** Injection tokens of the dead-letters module. */
export const DEAD_LETTERS_OPTIONS = Symbol('DEAD_LETTERS_OPTIONS');
export const DEAD_LETTER_STORE = Symbol('DEAD_LETTER_STORE');
