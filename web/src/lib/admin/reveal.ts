/** Svelte action: bring a panel that just opened into view and focus its first field. */
export function reveal(node: HTMLElement): void {
  node.scrollIntoView({ block: 'nearest' });
  node
    .querySelector<HTMLElement>('input, select, textarea, button')
    ?.focus({ preventScroll: true });
}
