import { describe, expect, it } from 'vitest';
import { initialFiles, type ViteManifest } from './page-weight.ts';

describe('initial files of a page', () => {
  const manifest: ViteManifest = {
    start: { file: 'start.js', imports: ['_shared'] },
    page: { file: 'page.js', imports: ['_shared', '_chart'] },
    _shared: { file: 'shared.js' },
    _chart: { file: 'chart.js', imports: ['_shared'] },
    lazy: { file: 'leaflet.js' },
  };

  it('follows static imports once each and leaves lazy chunks out', () => {
    expect(initialFiles(manifest, ['start', 'page']).sort()).toEqual(
      ['chart.js', 'page.js', 'shared.js', 'start.js'].sort(),
    );
  });

  it('says which entry the manifest lacks', () => {
    expect(() => initialFiles(manifest, ['missing'])).toThrow(/missing/);
  });
});
