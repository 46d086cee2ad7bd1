import { describe, expect, it } from 'vitest';
import { tabForKey } from './tab-keys.ts';

describe('tabForKey', () => {
  const tabs = ['a', 'b', 'c'] as const;

  it('moves with the arrows, wrapping, and jumps with Home and End', () => {
    expect(tabForKey(tabs, 'a', 'ArrowRight')).toBe('b');
    expect(tabForKey(tabs, 'c', 'ArrowRight')).toBe('a');
    expect(tabForKey(tabs, 'a', 'ArrowLeft')).toBe('c');
    expect(tabForKey(tabs, 'b', 'Home')).toBe('a');
    expect(tabForKey(tabs, 'a', 'End')).toBe('c');
  });

  it('ignores other keys and a tab not in the list', () => {
    expect(tabForKey(tabs, 'a', 'Enter')).toBeNull();
    expect(tabForKey(tabs, 'z' as 'a', 'ArrowRight')).toBeNull();
  });
});
