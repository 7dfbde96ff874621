// The least-squares slope of ln y against ln x, accumulated point by point: the last step of
// the scaling exponents (DFA, Higuchi). Points with y ≤ 1e-20 carry no log and are skipped.

export class LogLogSlope {
  private sx = 0;
  private sy = 0;
  private sxy = 0;
  private sx2 = 0;
  private count = 0;

  add(x: number, y: number): void {
    if (!(y > 1e-20)) return;
    const lx = Math.log(x), ly = Math.log(y);
    this.sx += lx;
    this.sy += ly;
    this.sxy += lx * ly;
    this.sx2 += lx * lx;
    this.count++;
  }

  /** The slope, or 0 with fewer than two usable points. */
  slope(): number {
    const den = this.count * this.sx2 - this.sx * this.sx;
    return this.count >= 2 && Math.abs(den) > 1e-20 ? (this.count * this.sxy - this.sx * this.sy) / den : 0;
  }
}
