/**
 * Where each patch of `pixel_values` sits, computed inside the graph from image_grid_thw, so one
 * vision encoder serves every image size the processor makes (several images and frames too).
 * Patches arrive in the Qwen image processor's order: per image, per frame, merge units row-major,
 * the merge²(=4) patches of a unit consecutive. Attention runs in *groups* — Qwen2.5-VL's windows
 * (window_size px squares of merge units, per frame, the last ones cut off at the grid's edge) or
 * whole frames — gathered into a padded [groups, slots] layout; padding slots are masked as keys
 * and never read back. transformers reorders the sequence by window instead; attention inside a
 * group does not depend on order, so the result is the same and nothing needs reordering back.
 */
import type { Ctx } from './weights';

export interface PatchPositions {
  /** Row and column of each patch in its frame's patch grid (the 2-D rotary positions), [N] int64. */
  hpos: string;
  wpos: string;
}

export interface Groups {
  /** Token index per (group, slot), 0 where the slot is padding: [G, S] int64. */
  gather: string;
  /** Additive key mask per (group, slot): 0 or −1e9, [G, 1, 1, S] float32. */
  keyBias: string;
  /** Position of each token in the flattened [G·S] layout, [N] int64. */
  scatter: string;
}

interface Grid {
  t: string;
  h: string;
  w: string;
  area: string;
  starts: string;
}

interface PerPatch {
  img: string;
  frame: string;
  /** Index within its frame. */
  f: string;
  urow: string;
  ucol: string;
  /** Index within its merge unit. */
  s: string;
}

export class VisionLayout {
  private readonly grid: Grid;
  private readonly patch: PerPatch;

  constructor(
    private readonly c: Ctx,
    gridInput: string,
    private readonly merge: number,
  ) {
    const { g } = c;
    const col = (i: number) => g.op1('Gather', [gridInput, g.constI([i], [])], { axis: 1 }); // [I]
    const t = col(0);
    const h = col(1);
    const w = col(2);
    const area = g.op1('Mul', [h, w]);
    const counts = g.op1('Mul', [t, area]);
    const ends = this.cumsum(counts);
    const starts = g.op1('Sub', [ends, counts]);
    this.grid = { t, h, w, area, starts };

    const n = g.op1('ReduceSum', [counts, g.constI([0])], { keepdims: 0 });
    const p = g.op1('Range', [g.constI([0], []), n, g.constI([1], [])]);
    const img = this.owner(p, ends);
    const local = g.op1('Sub', [p, this.at(starts, img)]);
    const a = this.at(area, img);
    const m2 = g.constI([merge * merge], []);
    const f = g.op1('Mod', [local, a]);
    const unit = g.op1('Div', [f, m2]);
    const wu = g.op1('Div', [this.at(w, img), g.constI([merge], [])]);
    this.patch = {
      img,
      frame: g.op1('Div', [local, a]),
      f,
      urow: g.op1('Div', [unit, wu]),
      ucol: g.op1('Mod', [unit, wu]),
      s: g.op1('Mod', [f, m2]),
    };
  }

  /** Each patch's image grid: its height and width in patches, [N] int64. */
  patchGrid(): { h: string; w: string } {
    return { h: this.at(this.grid.h, this.patch.img), w: this.at(this.grid.w, this.patch.img) };
  }

  positions(): PatchPositions {
    const { g } = this.c;
    const m = g.constI([this.merge], []);
    const { urow, ucol, s } = this.patch;
    return {
      hpos: g.op1('Add', [g.op1('Mul', [urow, m]), g.op1('Div', [s, m])]),
      wpos: g.op1('Add', [g.op1('Mul', [ucol, m]), g.op1('Mod', [s, m])]),
    };
  }

  /** One group per frame of each image; slots = the largest frame's patch count. */
  frames(): Groups {
    const { g } = this.c;
    const { t, area, starts } = this.grid;
    const frEnds = this.cumsum(t);
    const frStarts = g.op1('Sub', [frEnds, t]);
    const slots = g.op1('ReduceMax', [area], { axes: [0], keepdims: 0 });
    const { img, frame, f } = this.patch;
    const scatter = g.op1('Add', [g.op1('Mul', [g.op1('Add', [this.at(frStarts, img), frame]), slots]), f]);

    const total = g.op1('ReduceSum', [t, g.constI([0])], { keepdims: 0 });
    const gf = g.op1('Range', [g.constI([0], []), total, g.constI([1], [])]);
    const imgF = this.owner(gf, frEnds);
    const fr = g.op1('Sub', [gf, this.at(frStarts, imgF)]);
    const sl = g.op1('Unsqueeze', [g.op1('Range', [g.constI([0], []), slots, g.constI([1], [])]), g.constI([0])]); // [1, S]
    const col = (v: string) => g.op1('Unsqueeze', [v, g.constI([1])]); // [G, 1]
    const aF = col(this.at(area, imgF));
    const valid = g.op1('Less', [sl, aF]);
    const tok = g.op1('Add', [g.op1('Add', [col(this.at(starts, imgF)), g.op1('Mul', [col(fr), aF])]), sl]);
    return this.groups(valid, tok, scatter);
  }

  /** Qwen2.5-VL windows of `units`×`units` merge units, per frame (get_window_index). */
  windows(units: number): Groups {
    const { g } = this.c;
    const m = this.merge;
    const m2 = m * m;
    const { t, h, w, area, starts } = this.grid;
    const k = (v: number) => g.constI([v], []);
    const ceilDiv = (a: string, b: number) => g.op1('Div', [g.op1('Add', [a, k(b - 1)]), k(b)]);
    const hu = g.op1('Div', [h, k(m)]);
    const wu = g.op1('Div', [w, k(m)]);
    const nWw = ceilDiv(wu, units);
    const perFrame = g.op1('Mul', [ceilDiv(hu, units), nWw]);
    const counts = g.op1('Mul', [t, perFrame]);
    const ends = this.cumsum(counts);
    const wStarts = g.op1('Sub', [ends, counts]);
    const S = units * units * m2;

    const { img, frame, urow, ucol, s } = this.patch;
    const win = g.op1('Add', [
      g.op1('Add', [this.at(wStarts, img), g.op1('Mul', [frame, this.at(perFrame, img)])]),
      g.op1('Add', [g.op1('Mul', [g.op1('Div', [urow, k(units)]), this.at(nWw, img)]), g.op1('Div', [ucol, k(units)])]),
    ]);
    const slot = g.op1('Add', [
      g.op1('Mul', [g.op1('Add', [g.op1('Mul', [g.op1('Mod', [urow, k(units)]), k(units)]), g.op1('Mod', [ucol, k(units)])]), k(m2)]),
      s,
    ]);
    const scatter = g.op1('Add', [g.op1('Mul', [win, k(S)]), slot]);

    const total = g.op1('ReduceSum', [counts, g.constI([0])], { keepdims: 0 });
    const gw = g.op1('Range', [k(0), total, k(1)]);
    const iw = this.owner(gw, ends);
    const lw = g.op1('Sub', [gw, this.at(wStarts, iw)]);
    const pf = this.at(perFrame, iw);
    const fr = g.op1('Div', [lw, pf]);
    const wi = g.op1('Mod', [lw, pf]);
    const nw = this.at(nWw, iw);
    const col = (v: string) => g.op1('Unsqueeze', [v, g.constI([1])]); // [G, 1]
    const slotConst = (f: (i: number) => number) => g.constI(Array.from({ length: S }, (_, i) => f(i)), [1, S]);
    const ur = g.op1('Add', [col(g.op1('Mul', [g.op1('Div', [wi, nw]), k(units)])), slotConst((i) => Math.floor(Math.floor(i / m2) / units))]);
    const uc = g.op1('Add', [col(g.op1('Mul', [g.op1('Mod', [wi, nw]), k(units)])), slotConst((i) => Math.floor(i / m2) % units)]);
    const wuG = col(this.at(wu, iw));
    const valid = g.op1('And', [g.op1('Less', [ur, col(this.at(hu, iw))]), g.op1('Less', [uc, wuG])]);
    const tok = g.op1('Add', [
      g.op1('Add', [col(this.at(starts, iw)), g.op1('Mul', [col(fr), col(this.at(area, iw))])]),
      g.op1('Add', [g.op1('Mul', [g.op1('Add', [g.op1('Mul', [ur, wuG]), uc]), k(m2)]), slotConst((i) => i % m2)]),
    ]);
    return this.groups(valid, tok, scatter);
  }

  private groups(valid: string, tok: string, scatter: string): Groups {
    const { g } = this.c;
    const gather = g.op1('Where', [valid, tok, g.constI([0], [])]);
    const bias = g.op1('Where', [valid, g.constF([0], []), g.constF([-1e9], [])]); // [G, S]
    const keyBias = g.op1('Unsqueeze', [bias, g.constI([1, 2])]);
    return { gather, keyBias, scatter };
  }

  private cumsum(v: string): string {
    return this.c.g.op1('CumSum', [v, this.c.g.constI([0], [])]);
  }

  /** Index of the range (given by its cumulative ends) that holds each element of `idx`. */
  private owner(idx: string, ends: string): string {
    const { g } = this.c;
    const past = g.op1('Not', [g.op1('Less', [g.op1('Unsqueeze', [idx, g.constI([1])]), g.op1('Unsqueeze', [ends, g.constI([0])])])]);
    return g.op1('ReduceSum', [g.op1('Cast', [past], { to: 7 }), g.constI([1])], { keepdims: 0 });
  }

  private at(perImage: string, img: string): string {
    return this.c.g.op1('Gather', [perImage, img], { axis: 0 });
  }
}
