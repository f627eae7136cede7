// Example tools for the demo and tests: a small notes memory and a scheduler, kept in memory.
// A tools module's default export is an array of tools; `code-mode run --tools` loads it.
import type { Tool } from "../src/index.ts";

interface Note {
  id: number;
  text: string;
  tags: string[];
  createdAt: string;
}
interface Event {
  id: number;
  title: string;
  at: string;
  attendees: string[];
}

const notes: Note[] = [
  { id: 1, text: "Ada prefers meetings after 14:00", tags: ["ada", "preferences"], createdAt: "2026-11-20T09:00:00Z" },
  { id: 2, text: "Grace is travelling until 2026-12-03", tags: ["grace", "travel"], createdAt: "2026-11-21T10:30:00Z" },
  {
    id: 3,
    text: "Quarterly review needs Ada and Linus",
    tags: ["review", "ada", "linus"],
    createdAt: "2026-11-22T16:00:00Z",
  },
  { id: 4, text: "Linus is free on Tuesdays", tags: ["linus", "preferences"], createdAt: "2026-11-23T08:15:00Z" },
];
const events: Event[] = [];

const noteSchema = {
  type: "object",
  properties: {
    id: { type: "integer" },
    text: { type: "string" },
    tags: { type: "array", items: { type: "string" } },
    createdAt: { type: "string", format: "date-time" },
  },
  required: ["id", "text", "tags", "createdAt"],
} as const;

export const memoryRead: Tool<{ query?: string; tag?: string; limit?: number }, Note[]> = {
  name: "memory_read",
  description:
    "Search the notes memory. Returns notes whose text contains `query` (case-insensitive) and/or that carry `tag`, newest first.",
  inputSchema: {
    type: "object",
    properties: {
      query: { type: "string", description: "Words to look for in the note text." },
      tag: { type: "string", description: "Only notes with this tag." },
      limit: { type: "integer", minimum: 1, maximum: 50, default: 10 },
    },
    additionalProperties: false,
  },
  outputSchema: { type: "array", items: noteSchema },
  execute({ query, tag, limit = 10 }) {
    const q = query?.toLowerCase();
    return notes
      .filter((n) => (!q || n.text.toLowerCase().includes(q)) && (!tag || n.tags.includes(tag)))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, limit);
  },
};

export const memoryWrite: Tool<{ text: string; tags?: string[] }, Note> = {
  name: "memory_write",
  description: "Save a note in the memory.",
  inputSchema: {
    type: "object",
    properties: {
      text: { type: "string", minLength: 1, maxLength: 2000 },
      tags: { type: "array", items: { type: "string" }, maxItems: 10 },
    },
    required: ["text"],
    additionalProperties: false,
  },
  outputSchema: noteSchema,
  execute({ text, tags = [] }) {
    const note = { id: notes.length + 1, text, tags, createdAt: new Date().toISOString() };
    notes.push(note);
    return note;
  },
};

export const schedule: Tool<{ title: string; at: string; attendees: string[] }, Event> = {
  name: "schedule",
  description: "Put an event in the calendar. Fails if an attendee already has an event at that time.",
  inputSchema: {
    type: "object",
    properties: {
      title: { type: "string", minLength: 1 },
      at: { type: "string", format: "date-time", description: "Start, ISO 8601 with time zone." },
      attendees: { type: "array", items: { type: "string" }, minItems: 1 },
    },
    required: ["title", "at", "attendees"],
    additionalProperties: false,
  },
  outputSchema: {
    type: "object",
    properties: {
      id: { type: "integer" },
      title: { type: "string" },
      at: { type: "string" },
      attendees: { type: "array", items: { type: "string" } },
    },
    required: ["id", "title", "at", "attendees"],
  },
  execute({ title, at, attendees }) {
    const clash = events.find((e) => e.at === at && e.attendees.some((a) => attendees.includes(a)));
    if (clash) throw new Error(`${clash.attendees.join(", ")} already busy at ${at} ("${clash.title}")`);
    const event = { id: events.length + 1, title, at, attendees };
    events.push(event);
    return event;
  },
};

export const listEvents: Tool<{ attendee?: string }, Event[]> = {
  name: "list_events",
  description: "List calendar events, optionally only those of one attendee.",
  inputSchema: { type: "object", properties: { attendee: { type: "string" } }, additionalProperties: false },
  outputSchema: { type: "array", items: schedule.outputSchema! },
  execute: ({ attendee }) => events.filter((e) => !attendee || e.attendees.includes(attendee)),
};

export default [memoryRead, memoryWrite, schedule, listEvents];
