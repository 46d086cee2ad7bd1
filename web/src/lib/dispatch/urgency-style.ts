import type { Priority } from '@gridline/core';
import type { Urgency } from './ticket-board.ts';

/**
 * Colours of the four ticket states, shared by the canvas markers (which
 * cannot read CSS variables) and the list. `text` has >= 4.5:1 contrast on
 * `soft` and on white.
 */
export const URGENCY_COLORS: Record<
  Urgency,
  { fill: string; stroke: string; text: string; soft: string }
> = {
  onTime: { fill: '#2e9d52', stroke: '#17663a', text: '#16643a', soft: '#e6f4ea' },
  dueSoon: { fill: '#f0a020', stroke: '#9a5b00', text: '#8a4b00', soft: '#fff3dc' },
  overdue: { fill: '#d93025', stroke: '#8c1a12', text: '#a8231a', soft: '#fde7e5' },
  escalated: { fill: '#8e44c9', stroke: '#4f1f7a', text: '#6a2ca0', soft: '#f3e8fb' },
};

/** Marker radius in pixels by priority. */
export const PRIORITY_RADIUS: Record<Priority, number> = { LOW: 5, NORMAL: 7, HIGH: 9, URGENT: 11 };
