/** Small seeded PRNG (sfc32, seeded through splitmix32) and the distributions the simulator draws from. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Independent stream `stream` of generator `seed`. */
  constructor(seed: number, stream: number) {
    let s = splitmix32((seed >>> 0) ^ Math.imul(stream + 1, 0x27d4eb2d));
    s = splitmix32(s ^ Math.floor(seed / 4294967296));
    this.a = s;
    this.b = splitmix32(s + 1);
    this.c = splitmix32(s + 2);
    this.d = splitmix32(s + 3) | 1;
    for (let i = 0; i < 16; i++) this.nextU32();
  }

  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in (0, 1): never 0, so logarithms are safe. */
  uniform(): number {
    return (this.nextU32() + 0.5) / 4294967296;
  }

  exponential(mean: number): number {
    return -mean * Math.log(this.uniform());
  }

  normal(): number {
    return Math.sqrt(-2 * Math.log(this.uniform())) * Math.cos(2 * Math.PI * this.uniform());
  }
}

export type Distribution =
  | { readonly dist: 'exponential'; readonly mean: number }
  | { readonly dist: 'fixed'; readonly mean: number }
  | { readonly dist: 'lognormal'; readonly mean: number; readonly sd: number };

export function sample(rng: Rng, d: Distribution): number {
  switch (d.dist) {
    case 'exponential':
      return rng.exponential(d.mean);
    case 'fixed':
      return d.mean;
    case 'lognormal': {
      if (d.mean === 0) return 0;
      const s2 = Math.log(1 + (d.sd * d.sd) / (d.mean * d.mean));
      return Math.exp(Math.log(d.mean) - s2 / 2 + Math.sqrt(s2) * rng.normal());
    }
  }
}
