/**
 * @file The 2-D view: regl-scatterplot (WebGL points, pan/zoom, hover and click picking
 * through its k-d tree) fed with one projection of a code set.
 *
 * The k-d tree (KDBush, the format regl-scatterplot reads) is built here from the typed
 * coordinates and handed to `draw`: left to itself, regl-scatterplot builds it from one small
 * array per point, and past a million points copies those into a worker first, which was most
 * of the 1M first picture (`npm run bench -- browser`).
 *
 * Past {@link SAMPLE_ABOVE} points, a view that is being zoomed or dragged draws a fixed sample
 * of them (plus the selected rows), and every point again once it has been still for
 * {@link SETTLE_MS}: each frame costs about a microsecond per point drawn on SwiftShader (the
 * CPU rasteriser a machine without a GPU runs WebGL on), a second per frame at 1M.
 */
import KDBush from 'kdbush';
import createScatterplot from 'regl-scatterplot';

type Plot = ReturnType<typeof createScatterplot>;

/** Point count past which a moving view draws a sample. */
const SAMPLE_ABOVE = 200_000;
/** Points drawn while the view moves. */
const SAMPLE_SIZE = 50_000;
/** Milliseconds without wheel or drag after which every point is drawn again. */
const SETTLE_MS = 250;

/** Point size by count: big sets get small points so that clusters keep their shape. */
function pointSize(n: number): number {
  if (n <= 2_000) return 6;
  if (n <= 20_000) return 4;
  if (n <= 200_000) return 2.5;
  return 1.5;
}

/**
 * Scales projected coordinates into [-0.95, 0.95] with one factor for both axes, so that
 * distances on screen keep their ratios.
 */
export function fitToView(xy: Float32Array): { x: Float32Array; y: Float32Array } {
  const n = xy.length / 2;
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < n; i++) {
    const a = xy[2 * i];
    const b = xy[2 * i + 1];
    if (a < x0) x0 = a;
    if (a > x1) x1 = a;
    if (b < y0) y0 = b;
    if (b > y1) y1 = b;
  }
  const half = Math.max(x1 - x0, y1 - y0, 1e-12) / 2;
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = (0.95 * (xy[2 * i] - cx)) / half;
    y[i] = (0.95 * (xy[2 * i + 1] - cy)) / half;
  }
  return { x, y };
}

/** The scatter of the active code set; points are rows, or a sample of rows (UMAP). */
export class Scatter {
  private readonly plot: Plot;
  /** Row of each drawn point, when only a sample is drawn. */
  private rowOfPoint: Int32Array | null = null;
  private pointOfRow: Map<number, number> | null = null;
  /** Points drawn while the view moves (null: the set is small enough to draw whole). */
  private sample: number[] | null = null;
  private sampled = false;
  private settle: ReturnType<typeof setTimeout> | undefined;
  /** Points selected now: kept in the sample so the highlight stays while moving. */
  private selectedPoints: number[] = [];
  /** Milliseconds of the last {@link Scatter.show}: scaling, drawing (with the spatial index), zoom. */
  timings: Record<string, number> = {};

  constructor(
    canvas: HTMLCanvasElement,
    onHover: (row: number) => void,
    onSelect: (rows: number[]) => void,
  ) {
    this.plot = createScatterplot({
      canvas,
      width: 'auto',
      height: 'auto',
      backgroundColor: [1, 1, 1, 1],
      pointColorHover: '#000000',
      pointColorActive: '#000000',
      pointSizeSelected: 4,
      pointOutlineWidth: 2,
      lassoOnLongPress: true,
    });
    this.plot.subscribe('pointOver', (p) => onHover(this.row(p)));
    this.plot.subscribe('pointOut', () => onHover(-1));
    this.plot.subscribe('select', ({ points }) => onSelect(points.map((p) => this.row(p))));
    this.plot.subscribe('deselect', () => onSelect([]));
    // Input events, not the plot's 'view' event: that one fires after a frame was drawn with the
    // new view, so the first frame of a zoom would still draw every point. A click (no drag)
    // does not switch: it picks among all points.
    canvas.addEventListener('wheel', () => this.moving(), { capture: true, passive: true });
    canvas.addEventListener('pointermove', (e) => e.buttons !== 0 && this.moving(), { capture: true, passive: true });
  }

  /** The view is moving: draw the sample until it has been still for SETTLE_MS. */
  private moving(): void {
    if (!this.sample) return;
    if (!this.sampled) {
      this.sampled = true;
      void this.plot.filter(this.sample.concat(this.selectedPoints), { preventEvent: true });
    }
    clearTimeout(this.settle);
    this.settle = setTimeout(() => {
      this.sampled = false;
      void this.plot.unfilter({ preventEvent: true });
    }, SETTLE_MS);
  }

  /** True when WebGL has what the plot needs. */
  get supported(): boolean {
    return this.plot.isSupported;
  }

  /**
   * Draws points coloured by category.
   * @param xy - `m x 2` projected coordinates.
   * @param category - colour index of each point.
   * @param colours - colour of each index.
   * @param rows - row of each point when the points are a sample, else null.
   */
  async show(xy: Float32Array, category: Float32Array, colours: readonly string[], rows: Int32Array | null): Promise<void> {
    this.rowOfPoint = rows;
    this.pointOfRow = rows ? new Map(Array.from(rows, (r, p) => [r, p])) : null;
    clearTimeout(this.settle);
    this.sampled = false;
    this.selectedPoints = [];
    const t0 = performance.now();
    const { x, y } = fitToView(xy);
    const m = x.length;
    // Every stride-th point: spread over the whole set (rows are in no particular order), sorted.
    const stride = Math.ceil(m / SAMPLE_SIZE);
    this.sample = m > SAMPLE_ABOVE ? Array.from({ length: Math.ceil(m / stride) }, (_, i) => i * stride) : null;
    await this.plot.set({ pointColor: [...colours], colorBy: 'valueA', pointSize: pointSize(m), opacity: m > 200_000 ? 0.6 : 1 });
    const t1 = performance.now();
    // Node size 16: regl-scatterplot's own choice for the index it builds.
    const index = new KDBush(m, 16);
    for (let i = 0; i < m; i++) index.add(x[i], y[i]);
    index.finish();
    const t2 = performance.now();
    await this.plot.draw({ x, y, valueA: category }, { preventFilterReset: false, spatialIndex: index.data as ArrayBuffer });
    const t3 = performance.now();
    await this.plot.zoomToOrigin({ transition: false });
    this.timings = { prepare: t1 - t0, index: t2 - t1, draw: t3 - t2, zoom: performance.now() - t3 };
  }

  /** Highlights rows (those drawn); an empty list clears the selection. */
  select(rows: readonly number[]): void {
    const points = this.points(rows);
    this.selectedPoints = points;
    if (points.length === 0) this.plot.deselect({ preventEvent: true });
    else this.plot.select(points, { preventEvent: true });
  }

  /** Where a row is drawn, in CSS pixels from the canvas's top left; undefined if not drawn. */
  screenPosition(row: number): [number, number] | undefined {
    const p = this.points([row])[0];
    return p === undefined ? undefined : this.plot.getScreenPosition(p);
  }

  private points(rows: readonly number[]): number[] {
    if (!this.pointOfRow) return [...rows];
    const out: number[] = [];
    for (const r of rows) {
      const p = this.pointOfRow.get(r);
      if (p !== undefined) out.push(p);
    }
    return out;
  }

  private row(point: number): number {
    return this.rowOfPoint ? this.rowOfPoint[point] : point;
  }
}
