import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/**
 * Pages are client-rendered and served by the Express server (same origin as
 * the API): `import { handler } from 'web/build/handler.js'`, mounted after the
 * API routes. Kit sends a hash-based Content-Security-Policy header with every
 * page; Leaflet needs inline styles, map tiles come from the host in TILE_URL
 * (only known at run time, hence `https:` in img-src).
 *
 * WEB_OUT_DIR and WEB_KIT_DIR let two builds run side by side (parallel work
 * on one machine); the server then takes WEB_HANDLER=web/<out>/handler.js.
 *
 * @type {import('@sveltejs/kit').Config}
 */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ out: process.env.WEB_OUT_DIR || 'build', precompress: true }),
    outDir: process.env.WEB_KIT_DIR || '.svelte-kit',
    // src/service-worker.ts serves the installable volunteer app only: the /volunteer
    // layout registers it with scope /volunteer, so it is not registered on every page.
    serviceWorker: { register: false },
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'script-src': ['self'],
        'style-src': ['self', 'unsafe-inline'],
        'img-src': ['self', 'data:', 'blob:', 'https:'],
        'font-src': ['self'],
        'connect-src': ['self', 'ws:', 'wss:'],
        'worker-src': ['self'],
        'manifest-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self'],
        'frame-ancestors': ['none'],
      },
    },
  },
};

export default config;
