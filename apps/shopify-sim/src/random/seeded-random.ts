/**
 * A small seeded PRNG (sfc32, seeded from a string hash) so every generated payload, id and fault
 * decision can be reproduced from one seed: a failing test or a surprising demo run can be
 * replayed exactly. `Math.random` is never used by the generators for that reason.
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string | number) {
    const text = String(seed);
    // Four differently-based FNV-1a style hashes of the seed fill sfc32's 128-bit state.
    const words = [0x811c9dc5, 0x9e3779b9, 0x85ebca6b, 0xc2b2ae35].map((basis) => {
      let h = basis >>> 0;
      for (let i = 0; i < text.length; i++) {
        h ^= text.charCodeAt(i);
        h = Math.imul(h, 0x01000193) >>> 0;
      }
      return h;
    });
    [this.a, this.b, this.c, this.d] = words as [number, number, number, number];
    // The first outputs of sfc32 still correlate with the seed words; discard them.
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t0 = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    const t = (t0 + this.d) | 0;
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return probability > 0 && this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('cannot pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Picks a key with probability proportional to its weight; zero weights are never picked. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((sum, [, weight]) => sum + Math.max(0, weight), 0);
    if (total <= 0) throw new Error('weighted pick needs a positive total weight');
    let roll = this.next() * total;
    for (const [item, weight] of entries) {
      if (weight <= 0) continue;
      roll -= weight;
      if (roll < 0) return item;
    }
    // Floating-point leftovers land on the last positive entry.
    return [...entries].reverse().find(([, weight]) => weight > 0)![0];
  }

  /** Fisher-Yates, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }

  /** A BigInt in [min, max]. Built from 64 random bits, so it never passes through a JS number. */
  bigint(min: bigint, max: bigint): bigint {
    const span = max - min + 1n;
    const bits = (BigInt(this.nextUint32()) << 32n) | BigInt(this.nextUint32());
    return min + (bits % span);
  }

  /** A version-4-shaped UUID drawn from this generator (reproducible, unlike `randomUUID`). */
  uuid(): string {
    const hex = Array.from({ length: 4 }, () =>
      this.nextUint32().toString(16).padStart(8, '0'),
    ).join('');
    const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  hex(length: number): string {
    let out = '';
    while (out.length < length) out += this.nextUint32().toString(16).padStart(8, '0');
    return out.slice(0, length);
  }

  /** An independent generator for a sub-stream, so adding draws in one place does not shift another. */
  fork(label: string): SeededRandom {
    return new SeededRandom(`${this.nextUint32()}:${this.nextUint32()}:${label}`);
  }
}
