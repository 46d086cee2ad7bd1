import type { TrackedEventPayload, TrackView } from '@gridline/core';

/** A timeline shows each event once, oldest first, whether it came pushed or fetched. */
export function withEntry(view: TrackView, pushed: TrackedEventPayload): TrackView {
  const add = (timeline: TrackView['timeline']) =>
    timeline.some((entry) => entry.eventId === pushed.entry.eventId)
      ? timeline
      : [...timeline, pushed.entry].sort((a, b) => a.eventId - b.eventId);
  if (pushed.code === view.ticket.code) {
    return {
      ...view,
      ticket: { ...view.ticket, ...pushed.ticket },
      timeline: add(view.timeline),
    };
  }
  if (view.follows && pushed.code === view.follows.code) {
    return {
      ...view,
      follows: {
        ...view.follows,
        status: pushed.ticket.status,
        timeline: add(view.follows.timeline),
      },
    };
  }
  return view;
}
