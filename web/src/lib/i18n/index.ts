export { i18n, t, LANGS, type Lang, type MessageParams } from './i18n.svelte.ts';
export type { MessageKey } from './messages.ts';
export {
  categoryName,
  escalationLabel,
  priorityLabel,
  roleLabel,
  statusLabel,
  channelLabel,
} from './labels.ts';
