/**
 * @file The demo report: one self-contained HTML page (inline CSS, no scripts, no network)
 * that references the figures and sounds written next to it. Built from plain data so tests
 * can check it without training anything.
 */
import type { ShowcaseItem, ShowcaseSection } from '@latentkit/core';

/** A figure, an audio player, a table, a paragraph or a list (core's showcase items). */
export type ReportItem = ShowcaseItem;

/** One section of the report (`<section id=...>`), as a modality's showcase returns it. */
export type ReportSection = ShowcaseSection;

/** Everything the page shows. */
export interface ReportData {
  title: string;
  /** One paragraph under the title. */
  summary: string;
  /** Key facts shown as a definition list (engine, data, mode, total time). */
  facts: [string, string][];
  sections: ReportSection[];
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Relative file references only: the report must work when its folder is moved or zipped. */
function src(path: string): string {
  if (/^[a-z]+:/i.test(path) || path.startsWith('/') || path.split('/').includes('..')) {
    throw new Error(`report asset '${path}' must be a relative path inside the report folder`);
  }
  return path.split('/').map(encodeURIComponent).join('/');
}

function cell(v: string | number): string {
  if (typeof v === 'number') return `<td class="num">${Number.isFinite(v) ? escapeHtml(v.toFixed(3)) : '–'}</td>`;
  return `<td>${escapeHtml(v)}</td>`;
}

function item(i: ReportItem): string {
  switch (i.type) {
    case 'image':
      return `<figure><img src="${src(i.src)}" alt="${escapeHtml(i.alt ?? i.caption)}"><figcaption>${escapeHtml(i.caption)}</figcaption></figure>`;
    case 'audio':
      return `<figure class="audio"><figcaption>${escapeHtml(i.caption)}</figcaption><audio controls preload="none" src="${src(i.src)}"></audio> <a href="${src(i.src)}">${escapeHtml(i.src)}</a></figure>`;
    case 'table':
      return (
        `<table${i.className ? ` class="${escapeHtml(i.className)}"` : ''}>` +
        (i.caption ? `<caption>${escapeHtml(i.caption)}</caption>` : '') +
        `<thead><tr>${i.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>` +
        `<tbody>${i.rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('\n')}</tbody></table>`
      );
    case 'text':
      return `<p>${escapeHtml(i.text)}</p>`;
    case 'link':
      return `<p><a href="${src(i.href)}">${escapeHtml(i.text)}</a>${i.caption ? ` ${escapeHtml(i.caption)}` : ''}</p>`;
    case 'list':
      return `<ul>${i.items.map((t) => `<li>${escapeHtml(t)}</li>`).join('')}</ul>`;
  }
}

const CSS = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;background:#fff}
h1{margin-bottom:.2em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
nav a{margin-right:1em}dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:600}dd{margin:0}
figure{display:inline-block;margin:.5em 1em 1em 0;vertical-align:top}figure img{max-width:100%;image-rendering:pixelated;border:1px solid #ccc}
figcaption{font-size:13px;color:#555;max-width:640px}figure.audio{display:block}audio{vertical-align:middle}
table{border-collapse:collapse;margin:.5em 0 1.5em}caption{text-align:left;font-weight:600;padding:.3em 0}
th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
table.matrix td.num{min-width:5em}code{background:#f4f4f4;padding:0 .2em}
`;

/**
 * Renders the report page.
 * @param data title, summary, facts and sections.
 * @returns the HTML document.
 * @throws {Error} when an asset path is not relative to the report folder.
 * @example
 * ```ts
 * const html = renderReport({ title: 'latentkit demo', summary: '...', facts: [], sections: [] });
 * ```
 */
export function renderReport(data: ReportData): string {
  const nav = data.sections.map((s) => `<a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a>`).join('');
  const facts = data.facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('');
  const sections = data.sections
    .map((s) => `<section id="${escapeHtml(s.id)}">\n<h2>${escapeHtml(s.title)}</h2>\n${s.items.map(item).join('\n')}\n</section>`)
    .join('\n');
  return (
    `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<title>${escapeHtml(data.title)}</title>\n<style>${CSS}</style>\n</head>\n<body>\n` +
    `<h1>${escapeHtml(data.title)}</h1>\n<p>${escapeHtml(data.summary)}</p>\n<dl>${facts}</dl>\n<nav>${nav}</nav>\n${sections}\n</body>\n</html>\n`
  );
}
