/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/// <reference types="@sveltejs/kit" />

/**
 * The service worker. Registered with scope `/volunteer` by the volunteer app,
 * and with the scope of a page that turns on Web Push (`/member`, `/track`):
 * it shows the pushes the workers send (see workers/src/notifications) and
 * opens their page on a click.
 *
 * For the volunteer app (never for the console pages) It keeps the app
 * shell so the installed app opens without a network: the built scripts and
 * styles (immutable, cache first), the app icons and manifest, and the
 * /volunteer page itself (network first; the cached copy only when offline).
 * API calls and the live socket are never cached: they go to the network
 * and fail visibly when it is gone.
 */
import { build, files, version } from '$service-worker';

const sw = self as unknown as ServiceWorkerGlobalScope;

const CACHE_PREFIX = 'gridline-volunteer-';
const CACHE = `${CACHE_PREFIX}${version}`;
/** Every /volunteer page is the same client-rendered shell. */
const SHELL = '/volunteer';

/** Static files the installed app needs (the rest of static/ is not the volunteer's). */
const APP_FILES = files.filter(
  (file) =>
    file.startsWith('/icons/volunteer-') ||
    file === '/manifest.webmanifest' ||
    file === '/favicon.svg',
);
const ASSETS = new Set([...build, ...APP_FILES]);

const neverCached = (pathname: string): boolean =>
  pathname.startsWith('/api/') || pathname === '/api' || pathname.startsWith('/socket.io');

const isVolunteerPage = (pathname: string): boolean =>
  pathname === SHELL || pathname.startsWith(`${SHELL}/`);

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll([...ASSETS]);
      const shell = await fetch(SHELL, { credentials: 'same-origin', cache: 'no-cache' });
      if (shell.ok) await cache.put(SHELL, shell);
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith(CACHE_PREFIX) && key !== CACHE) await caches.delete(key);
      }
      await sw.clients.claim();
    })(),
  );
});

async function cacheFirst(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === 'basic') await cache.put(request, response.clone());
  return response;
}

/** The page from the network (and remembered); offline, the remembered shell. */
async function shellNetworkFirst(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === 'basic' && !response.redirected) {
      await cache.put(SHELL, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await cache.match(SHELL);
    if (cached) return cached;
    throw error;
  }
}

sw.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin || neverCached(url.pathname)) return;
  if (ASSETS.has(url.pathname)) {
    event.respondWith(cacheFirst(request));
    return;
  }
  if (request.mode === 'navigate' && isVolunteerPage(url.pathname)) {
    event.respondWith(shellNetworkFirst(request));
  }
});

interface PushPayload {
  title: string;
  body: string;
  url: string;
  tag: string;
}

function pushPayload(event: PushEvent): PushPayload | null {
  try {
    const value = event.data?.json() as Partial<PushPayload> | undefined;
    if (typeof value?.title !== 'string') return null;
    return {
      title: value.title,
      body: typeof value.body === 'string' ? value.body : '',
      url: typeof value.url === 'string' && value.url.startsWith('/') ? value.url : '/',
      tag: typeof value.tag === 'string' ? value.tag : 'gridline',
    };
  } catch {
    return null;
  }
}

sw.addEventListener('push', (event) => {
  const payload = pushPayload(event);
  if (!payload) return;
  event.waitUntil(
    sw.registration.showNotification(payload.title, {
      body: payload.body,
      tag: payload.tag,
      icon: '/favicon.svg',
      data: { url: payload.url },
    }),
  );
});

sw.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const data = event.notification.data as { url?: unknown } | null;
  const path = typeof data?.url === 'string' && data.url.startsWith('/') ? data.url : '/';
  event.waitUntil(
    (async () => {
      const target = new URL(path, sw.location.origin).href;
      for (const client of await sw.clients.matchAll({ type: 'window' })) {
        if (client.url === target && 'focus' in client) return void (await client.focus());
      }
      await sw.clients.openWindow(target);
    })(),
  );
});
