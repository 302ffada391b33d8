/**
 * @file The latent explorer page: opens code sets (served, or picked from disk), scatters
 * the active one by PCA or UMAP, colours it by label, searches it, and shows a clicked row
 * with its nearest neighbours in its own set and in every other open set of the same width,
 * and, when the server names a model (`latentkit explore --model`, or one per set in a static
 * export by `latentkit demo`), what that model decodes from the clicked row's code (decoder.ts).
 */
import { ExplorerWorker } from './client.js';
import { fetchSet, listServedSets, openFiles, type OpenedSet } from './data.js';
import { colourByLabel, type LabelColouring } from './labels.js';
import type { NeighbourList, WorkerReplies } from './protocol.js';
import { Scatter } from './scatter.js';
import { findRows } from './search.js';
import type { DecodedView, LiveDecoder } from './decoder.js';

interface SetState {
  id: number;
  name: string;
  n: number;
  d: number;
  rows: OpenedSet['rows'];
  colouring: LabelColouring;
  pca?: WorkerReplies['pca'];
  umap?: WorkerReplies['umap'];
  /** URL of the model folder that decodes this set's codes. */
  model?: string;
}

/** What the page exposes for tests and for the curious at the console. */
interface ExplorerHandle {
  ready: boolean;
  error?: string;
  sets: { name: string; n: number; d: number }[];
  active: number;
  projection: 'pca' | 'umap';
  selected: number;
  neighbours?: WorkerReplies['knn'];
  /** The kind of the first served model, once loaded (null: none served). */
  model?: string | null;
  /** What the last click decoded (or why it could not). */
  decoded?: DecodedView | { kind: 'error'; message: string };
  timings: Record<string, number>;
  screenPosition(row: number): [number, number] | undefined;
  select(row: number): Promise<void>;
  setProjection(p: 'pca' | 'umap'): Promise<void>;
}

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const status = $<HTMLSpanElement>('status');
const details = $<HTMLElement>('details');
const legendBox = $<HTMLElement>('legend');
const setPicker = $<HTMLSelectElement>('set');
const projPicker = $<HTMLSelectElement>('projection');
const search = $<HTMLInputElement>('search');

const sets: SetState[] = [];
const worker = new ExplorerWorker(new URL('./worker.js', import.meta.url), (line) => (status.textContent = line));
const handle: ExplorerHandle = {
  ready: false,
  sets: [],
  active: -1,
  projection: 'pca',
  selected: -1,
  timings: {},
  screenPosition: (row) => scatter.screenPosition(row),
  select: (row) => selectRow(row),
  setProjection: async (p) => {
    projPicker.value = p;
    await draw();
  },
};
(window as unknown as { latentExplorer: ExplorerHandle }).latentExplorer = handle;

const scatter = new Scatter($<HTMLCanvasElement>('plot'), hover, (rows) => {
  if (rows.length === 1) void selectRow(rows[0]);
  else if (rows.length === 0) clearDetails();
  else status.textContent = `${rows.length.toLocaleString('en')} rows selected`;
});

function fail(e: unknown): void {
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  handle.error = msg;
  status.textContent = msg;
  status.classList.add('error');
}

async function addSet(opened: OpenedSet): Promise<void> {
  const id = sets.length;
  const t0 = performance.now();
  await worker.call({ type: 'load', set: id, codes: opened.codes, d: opened.d }, [opened.codes.buffer]);
  sets.push({ id, name: opened.name, n: opened.n, d: opened.d, rows: opened.rows, colouring: colourByLabel(opened.rows.label), model: opened.model });
  handle.sets.push({ name: opened.name, n: opened.n, d: opened.d });
  handle.timings[`transfer:${opened.name}`] = performance.now() - t0;
  for (const [k, v] of Object.entries(opened.timings)) handle.timings[`${k}:${opened.name}`] = v;
  const opt = document.createElement('option');
  opt.value = String(id);
  opt.textContent = `${opened.name} (${opened.n.toLocaleString('en')} x ${opened.d})`;
  setPicker.append(opt);
}

async function draw(): Promise<void> {
  const s = sets[Number(setPicker.value)];
  if (!s) return;
  handle.active = s.id;
  handle.projection = projPicker.value === 'umap' ? 'umap' : 'pca';
  handle.selected = -1;
  clearDetails();
  const t0 = performance.now();
  if (handle.projection === 'pca') {
    status.textContent = `PCA of ${s.n.toLocaleString('en')} rows...`;
    s.pca ??= await worker.call({ type: 'pca', set: s.id });
    await scatter.show(s.pca.xy, s.colouring.category, s.colouring.legend.map((l) => l.colour), null);
    const [a, b] = s.pca.varianceRatio.map((v) => `${(100 * v).toFixed(1)}%`);
    status.textContent = `${s.name}: PCA of ${s.n.toLocaleString('en')} rows in ${(s.pca.ms / 1000).toFixed(2)} s (axes carry ${a} and ${b ?? '0%'} of the variance)`;
    handle.timings.pca = s.pca.ms;
  } else {
    const maxPoints = Number(new URLSearchParams(location.search).get('umap') ?? 10_000);
    s.umap ??= await worker.call({ type: 'umap', set: s.id, maxPoints, seed: 1 });
    const cat = Float32Array.from(s.umap.rows, (r) => s.colouring.category[r]);
    await scatter.show(s.umap.xy, cat, s.colouring.legend.map((l) => l.colour), s.umap.rows);
    const m = s.umap.rows.length;
    status.textContent = `${s.name}: UMAP of ${m === s.n ? 'all' : `a random ${m.toLocaleString('en')} of`} ${s.n.toLocaleString('en')} rows in ${(s.umap.ms / 1000).toFixed(1)} s`;
    handle.timings.umap = s.umap.ms;
  }
  handle.timings.draw = performance.now() - t0;
  for (const [k, v] of Object.entries(scatter.timings)) handle.timings[`scatter:${k}`] = v;
  legend(s);
}

function legend(s: SetState): void {
  legendBox.replaceChildren(
    ...s.colouring.legend.map((l) => {
      const li = document.createElement('li');
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = l.colour;
      li.append(sw, `${l.label} (${l.count.toLocaleString('en')})`);
      li.title = `search for label ${l.label}`;
      li.onclick = () => {
        search.value = `label:${l.label}`;
        runSearch();
      };
      return li;
    }),
  );
}

function describe(s: SetState, row: number): HTMLElement {
  const div = document.createElement('div');
  div.className = 'item';
  const label = s.rows.label[row];
  const text = s.rows.text?.[row];
  div.append(`#${row} `, Object.assign(document.createElement('code'), { textContent: s.rows.source[row] }));
  if (label) div.append(' ', Object.assign(document.createElement('b'), { textContent: label }));
  if (text) div.append(Object.assign(document.createElement('q'), { textContent: text }));
  return div;
}

function hover(row: number): void {
  const s = sets[handle.active];
  const box = $<HTMLElement>('hover');
  box.replaceChildren(...(s && row >= 0 ? [describe(s, row)] : []));
}

function clearDetails(): void {
  handle.selected = -1;
  details.replaceChildren();
}

function neighbourList(list: NeighbourList): HTMLElement {
  const s = sets[list.set];
  const ol = document.createElement('ol');
  list.indices.forEach((r, p) => {
    const li = document.createElement('li');
    li.append(describe(s, r), ` d=${list.distances[p].toFixed(3)}`);
    if (list.set === handle.active) li.onclick = () => void selectRow(r);
    ol.append(li);
  });
  return ol;
}

async function selectRow(row: number): Promise<void> {
  const s = sets[handle.active];
  if (!s || row < 0 || row >= s.n) return;
  handle.selected = row;
  scatter.select([row]);
  const across = sets.filter((o) => o.id !== s.id && o.d === s.d).map((o) => o.id);
  const res = await worker.call({ type: 'knn', set: s.id, row, k: 10, across });
  if (handle.selected !== row) return;
  handle.neighbours = res;
  handle.timings.knn = res.ms;
  // The row and its neighbours are drawn highlighted (the row first: it is what was clicked).
  scatter.select([row, ...res.within.indices]);
  const head = document.createElement('h3');
  head.textContent = `10 nearest of ${s.n.toLocaleString('en')} (${res.ms.toFixed(1)} ms, ${res.method})`;
  const parts: HTMLElement[] = [describe(s, row), head, neighbourList(res.within)];
  for (const other of res.across) {
    const h = document.createElement('h3');
    h.textContent = `nearest in ${sets[other.set].name}`;
    parts.push(h, neighbourList(other));
  }
  details.replaceChildren(...parts);
  if (s.model) await showDecoded(s, s.model, row);
}

/** Decoders by model URL, each loaded once (its own chunk: tfjs stays out until a model is served). */
const decoders = new Map<string, Promise<LiveDecoder>>();
function decoderFor(url: string): Promise<LiveDecoder> {
  let d = decoders.get(url);
  if (!d) {
    d = import('./decoder.js').then((m) => m.LiveDecoder.open(url));
    decoders.set(url, d);
  }
  return d;
}

/** Decodes the row's code with its set's model and shows the output above the neighbours. */
async function showDecoded(s: SetState, model: string, row: number): Promise<void> {
  const box = document.createElement('div');
  box.className = 'decoded-box';
  box.textContent = 'decoding...';
  details.prepend(box);
  try {
    const live = await decoderFor(model);
    const { code } = await worker.call({ type: 'row', set: s.id, row });
    const { element, view } = await live.render(code);
    if (handle.selected !== row) return;
    const title = Object.assign(document.createElement('h3'), { textContent: `decoded by ${live.kind}` });
    box.replaceChildren(title, element);
    handle.decoded = view;
  } catch (e) {
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    box.textContent = `cannot decode: ${message}`;
    handle.decoded = { kind: 'error', message };
  }
}

function runSearch(): void {
  const s = sets[handle.active];
  if (!s) return;
  const rows = findRows(s.rows, search.value);
  scatter.select(rows);
  status.textContent = search.value.trim() ? `${rows.length.toLocaleString('en')} rows match "${search.value.trim()}"` : '';
}

async function open(load: () => Promise<OpenedSet[]>): Promise<void> {
  try {
    const t0 = performance.now();
    status.textContent = 'loading codes...';
    const first = sets.length;
    for (const opened of await load()) await addSet(opened);
    handle.timings.load = performance.now() - t0;
    if (sets.length > first) {
      setPicker.value = String(first);
      await draw();
    } else status.textContent = 'Open a .npy of codes and its .rows.csv manifest.';
    handle.ready = true;
  } catch (e) {
    fail(e);
  }
}

setPicker.onchange = () => void draw().catch(fail);
projPicker.onchange = () => void draw().catch(fail);
search.oninput = () => runSearch();
$<HTMLInputElement>('files').onchange = (e) => {
  const files = [...((e.target as HTMLInputElement).files ?? [])];
  void open(() => openFiles(files));
};
if (!scatter.supported) fail(new Error('This browser lacks the WebGL features the scatter needs.'));
else {
  void open(async () => {
    const listing = await listServedSets();
    const entries = listing.sets.map((e) => ({ ...e, model: e.model ?? listing.model }));
    // The first model starts loading now, so the first click does not wait for tfjs.
    const first = entries.find((e) => e.model)?.model;
    if (first) decoderFor(first).then((d) => (handle.model = d.kind), fail);
    else handle.model = null;
    return Promise.all(entries.map(fetchSet));
  });
}
