import { describe, expect, it } from 'vitest';
import { escapeHtml, renderReport } from './report.js';

describe('renderReport', () => {
  const html = renderReport({
    title: 'demo <1>',
    summary: 'a & b',
    facts: [['engine', 'wasm']],
    sections: [
      {
        id: 'images',
        title: 'Images',
        items: [
          { type: 'image', src: 'images/grid one.png', caption: 'a grid' },
          { type: 'audio', src: 'audio/converted.wav', caption: 'converted' },
          { type: 'table', header: ['a', 'b'], rows: [['x', 0.12345], ['y', NaN]] },
          { type: 'link', href: 'explorer/index.html', text: 'the explorer', caption: 'served <here>' },
        ],
      },
    ],
  });

  it('is a self-contained page with sections, escaped text and relative assets', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<title>demo &lt;1&gt;</title>');
    expect(html).toContain('<p>a &amp; b</p>');
    expect(html).toContain('<section id="images">');
    expect(html).toContain('<img src="images/grid%20one.png"');
    expect(html).toContain('<audio controls preload="none" src="audio/converted.wav">');
    expect(html).toContain('<td class="num">0.123</td>');
    expect(html).toContain('<td class="num">–</td>');
    expect(html).toContain('<p><a href="explorer/index.html">the explorer</a> served &lt;here&gt;</p>');
    expect(html).not.toMatch(/<script|https?:\/\//);
  });

  it('refuses assets outside the report folder', () => {
    for (const src of ['../x.png', '/etc/x.png', 'http://example.com/x.png']) {
      expect(() => renderReport({ title: 't', summary: '', facts: [], sections: [{ id: 's', title: 's', items: [{ type: 'image', src, caption: '' }] }] })).toThrow();
    }
  });

  it('escapes quotes for attributes', () => {
    expect(escapeHtml(`"'<>&`)).toBe('&quot;&#39;&lt;&gt;&amp;');
  });
});
