// Mu suppression index: the current mean absolute α power over a slow running baseline, clamped
// to [0, 5]; < 1 means suppression (motor imagery, action observation). As in the reference
// (notes §3.2): the first 5 windows set the baseline, then it follows an EMA with weight 0.02.
// Source: G. Pfurtscheller & F. H. Lopes da Silva, "Event-related EEG/MEG synchronization and
// desynchronization: basic principles", Clin. Neurophysiol. 110 (1999) 1842–1857.

export class MuSuppression {
  #baseline = 0;
  #count = 0;

  update(meanAlpha: number): number {
    this.#count++;
    this.#baseline = this.#count <= 5 ? meanAlpha : 0.02 * meanAlpha + 0.98 * this.#baseline;
    return this.#baseline > 1e-12 ? Math.min(5, Math.max(0, meanAlpha / this.#baseline)) : 1;
  }

  reset(): void {
    this.#baseline = 0;
    this.#count = 0;
  }
}
