import { request } from '../api/client.ts';

/** Whether this browser can take Web Push at all. */
export function pushSupported(): boolean {
  return (
    typeof navigator !== 'undefined' &&
    'serviceWorker' in navigator &&
    typeof window !== 'undefined' &&
    'PushManager' in window &&
    'Notification' in window
  );
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const text = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(new ArrayBuffer(text.length));
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

async function registration(scope: string): Promise<ServiceWorkerRegistration> {
  const existing = await navigator.serviceWorker.getRegistration(scope);
  if (existing) return existing;
  await navigator.serviceWorker.register('/service-worker.js', {
    scope,
    type: import.meta.env.DEV ? 'module' : 'classic',
  });
  return navigator.serviceWorker.ready;
}

/** This browser's current subscription under the scope, if any. */
export async function currentSubscription(scope: string): Promise<PushSubscriptionJSON | null> {
  if (!pushSupported()) return null;
  const existing = await navigator.serviceWorker.getRegistration(scope);
  const subscription = await existing?.pushManager.getSubscription();
  return subscription?.toJSON() ?? null;
}

/**
 * Asks for permission and subscribes this browser (a service worker under
 * `scope` shows the pushes). Null when the user said no.
 */
export async function subscribeBrowser(scope: string): Promise<PushSubscriptionJSON | null> {
  if (!pushSupported()) return null;
  if ((await Notification.requestPermission()) !== 'granted') return null;
  const { publicKey } = await request<{ publicKey: string }>('/api/push/key');
  const worker = await registration(scope);
  const subscription =
    (await worker.pushManager.getSubscription()) ??
    (await worker.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(publicKey),
    }));
  return subscription.toJSON();
}
