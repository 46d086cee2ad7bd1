/**
 * Initial JavaScript of each web page: the scripts a browser loads before the
 * page runs (SvelteKit's start and app entries, the page's layouts, error
 * pages and leaf, and everything they import statically; lazy imports such as
 * Leaflet's are left out), gzipped, from the build's Vite manifest.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface ManifestChunk {
  file: string;
  imports?: string[];
  isEntry?: boolean;
}
export type ViteManifest = Record<string, ManifestChunk>;

export interface PageWeight {
  route: string;
  files: number;
  /** Gzipped bytes of the page's initial JavaScript. */
  gzipBytes: number;
}

const START = '../node_modules/@sveltejs/kit/src/runtime/client/entry.js';
const APP = '.svelte-kit/generated/client-optimized/app.js';
const node = (index: number) => `.svelte-kit/generated/client-optimized/nodes/${index}.js`;

/** The files a set of manifest entries loads up front: the entries and their static imports. */
export function initialFiles(manifest: ViteManifest, keys: readonly string[]): string[] {
  const seen = new Set<string>();
  const files: string[] = [];
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    const chunk = manifest[key];
    if (!chunk) throw new Error(`the manifest has no ${key}`);
    files.push(chunk.file);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  for (const key of keys) visit(key);
  return files;
}

interface RouteNodes {
  id: string;
  page: {
    layouts: Array<number | undefined>;
    errors: Array<number | null | undefined>;
    leaf: number;
  } | null;
}

/** Every page's initial JavaScript, from a built `web/` (its `.svelte-kit/output`). */
export async function pageWeights(webDir: string): Promise<PageWeight[]> {
  const output = path.join(webDir, '.svelte-kit', 'output');
  const manifest = JSON.parse(
    await readFile(path.join(output, 'client', '.vite', 'manifest.json'), 'utf8'),
  ) as ViteManifest;
  const server = (await import(pathToFileURL(path.join(output, 'server', 'manifest.js')).href)) as {
    manifest: { _: { routes: RouteNodes[] } };
  };
  const sizes = new Map<string, number>();
  const gzipped = async (file: string) => {
    let size = sizes.get(file);
    if (size === undefined) {
      size = gzipSync(await readFile(path.join(output, 'client', file))).length;
      sizes.set(file, size);
    }
    return size;
  };
  const weights: PageWeight[] = [];
  for (const route of server.manifest._.routes) {
    if (!route.page) continue;
    const nodes = [...route.page.layouts, ...route.page.errors, route.page.leaf].filter(
      (index): index is number => typeof index === 'number',
    );
    const files = initialFiles(manifest, [START, APP, ...nodes.map(node)]);
    let gzipBytes = 0;
    for (const file of files.filter((name) => name.endsWith('.js')))
      gzipBytes += await gzipped(file);
    weights.push({ route: route.id.replace('/(app)', '') || '/', files: files.length, gzipBytes });
  }
  return weights.sort((a, b) => a.route.localeCompare(b.route));
}
