/** The interactions a feed records. One list, shared by the device (track), the server and the pipeline. */
export const EVENT_TYPES = ['impression', 'click', 'watch', 'like', 'hide', 'skip'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}
