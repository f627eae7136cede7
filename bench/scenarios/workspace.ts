import type { Tool } from "../../src/tools/tool.ts";

// A small office, fresh for every run: team, notes, calendar, timesheets, rooms, orders and
// mail. Tool shapes follow the example tools (examples/tools.ts); state is per instance so that
// the classic and code runs of a scenario start from the same world.

interface Note {
  id: number;
  text: string;
  tags: string[];
}
interface Event {
  id: number;
  title: string;
  at: string;
  attendees: string[];
}

const TEAM = [
  { name: "ada", role: "analytics lead", email: "ada@example.com" },
  { name: "grace", role: "compiler engineer", email: "grace@example.com" },
  { name: "linus", role: "kernel maintainer", email: "linus@example.com" },
  { name: "margaret", role: "flight software", email: "margaret@example.com" },
];

const NOTES: Note[] = [
  { id: 1, text: "Ada prefers meetings after 14:00", tags: ["ada", "preferences"] },
  { id: 2, text: "Grace is travelling from 2026-12-01 until 2026-12-03", tags: ["grace", "travel"] },
  { id: 3, text: "Quarterly review needs Ada, Grace and Linus", tags: ["review", "ada", "grace", "linus"] },
  { id: 4, text: "Linus is free on Tuesdays", tags: ["linus", "preferences"] },
  { id: 5, text: "Margaret owns the release checklist", tags: ["margaret"] },
  { id: 6, text: "Update the onboarding guide", tags: ["todo", "ada"] },
  { id: 7, text: "Review the compiler benchmarks", tags: ["todo", "grace", "done"] },
  { id: 8, text: "Rotate the signing keys", tags: ["todo", "linus"] },
  { id: 9, text: "Plan the launch rehearsal", tags: ["todo", "margaret"] },
  { id: 10, text: "File the expense report", tags: ["todo", "ada", "done"] },
];

const PROJECTS = ["atlas", "beacon", "comet"];
const DAYS = ["mon", "tue", "wed", "thu", "fri"];

// Deterministic hours, so that both modes (and every run) see the same timesheets.
function timesheet(person: string, week: number) {
  const seed = [...person].reduce((sum, ch) => sum + ch.charCodeAt(0), week);
  return DAYS.flatMap((day, d) =>
    PROJECTS.slice(0, 2 + ((seed + d) % 2)).map((project, p) => ({
      day,
      project,
      hours: 1 + ((seed + d * 3 + p * 5) % 4),
    })),
  );
}

const ROOMS: Record<string, { capacity: number; busyAt: string[] }> = {
  aurora: { capacity: 4, busyAt: [] },
  borealis: { capacity: 8, busyAt: ["2026-12-01T10:00:00Z"] },
  cirrus: { capacity: 10, busyAt: [] },
  delta: { capacity: 12, busyAt: ["2026-12-01T10:00:00Z"] },
};

const ORDERS: Record<string, { id: string; customerId: string; items: { sku: string; qty: number; kg: number }[] }> = {
  "1042": {
    id: "1042",
    customerId: "c-77",
    items: [
      { sku: "lamp", qty: 2, kg: 1.5 },
      { sku: "desk", qty: 1, kg: 22 },
    ],
  },
};
const CUSTOMERS: Record<string, { id: string; name: string; email: string; addressId: string }> = {
  "c-77": { id: "c-77", name: "Hedy Lamarr", email: "hedy@example.com", addressId: "a-5" },
};
const ADDRESSES: Record<string, { id: string; street: string; city: string; country: string; postcode: string }> = {
  "a-5": { id: "a-5", street: "12 Frequency Lane", city: "Vienna", country: "AT", postcode: "1010" },
};

const object = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: "object",
  properties,
  required,
  additionalProperties: false,
});
const str = (description?: string) => ({ type: "string", ...(description && { description }) });

export interface Workspace {
  tools: Tool[];
  /** What the run changed: events, bookings, mails, shipments, notes, reports. */
  state(): unknown;
}

/** A fresh office. */
export function createWorkspace(): Workspace {
  const notes = NOTES.map((n) => ({ ...n, tags: [...n.tags] }));
  const events: Event[] = [];
  const bookings: { room: string; at: string; title: string }[] = [];
  const mails: { to: string; subject: string }[] = [];
  const shipments: { id: string; orderId: string; quoteId: string }[] = [];
  const reports: { title: string; rows: number }[] = [];
  let exportAttempts = 0;

  const tools: Tool[] = [
    {
      name: "list_team",
      description: "The team: each member's name (lower case), role and email.",
      inputSchema: object({}),
      execute: () => TEAM,
    },
    {
      name: "memory_read",
      description:
        "Search the notes memory. Returns notes whose text contains `query` (case-insensitive) and/or that carry `tag`.",
      inputSchema: object({
        query: str("Words to look for in the note text."),
        tag: str("Only notes with this tag."),
        limit: { type: "integer", minimum: 1, maximum: 50, default: 10 },
      }),
      execute: ({ query, tag, limit = 10 }: { query?: string; tag?: string; limit?: number }) =>
        notes
          .filter(
            (n) => (!query || n.text.toLowerCase().includes(query.toLowerCase())) && (!tag || n.tags.includes(tag)),
          )
          .slice(0, limit),
    },
    {
      name: "memory_write",
      description: "Save a note in the memory.",
      inputSchema: object({ text: { type: "string", minLength: 1 }, tags: { type: "array", items: str() } }, ["text"]),
      execute: ({ text, tags = [] }: { text: string; tags?: string[] }) => {
        const note = { id: notes.length + 1, text, tags };
        notes.push(note);
        return note;
      },
    },
    {
      name: "schedule",
      description: "Put an event in the calendar. Fails if an attendee already has an event at that time.",
      inputSchema: object(
        {
          title: { type: "string", minLength: 1 },
          at: { type: "string", format: "date-time", description: "Start, ISO 8601 with time zone." },
          attendees: { type: "array", items: str(), minItems: 1 },
        },
        ["title", "at", "attendees"],
      ),
      execute: ({ title, at, attendees }: Omit<Event, "id">) => {
        const clash = events.find((e) => e.at === at && e.attendees.some((a) => attendees.includes(a)));
        if (clash) throw new Error(`${clash.attendees.join(", ")} already busy at ${at} ("${clash.title}")`);
        const event = { id: events.length + 1, title, at, attendees };
        events.push(event);
        return event;
      },
    },
    {
      name: "list_events",
      description: "List calendar events, optionally only those of one attendee.",
      inputSchema: object({ attendee: str() }),
      execute: ({ attendee }: { attendee?: string }) =>
        events.filter((e) => !attendee || e.attendees.includes(attendee)),
    },
    {
      name: "get_timesheet",
      description: "One person's time entries for an ISO week: day, project and hours of each entry.",
      inputSchema: object({ person: str(), week: { type: "integer", minimum: 1, maximum: 53 } }, ["person", "week"]),
      execute: ({ person, week }: { person: string; week: number }) => {
        if (!TEAM.some((m) => m.name === person)) throw new Error(`no team member named ${person}`);
        return { person, week, entries: timesheet(person, week) };
      },
    },
    {
      name: "room_status",
      description: "Whether a meeting room is free at a time, and how many people it seats.",
      inputSchema: object({ room: str(), at: { type: "string", format: "date-time" } }, ["room", "at"]),
      execute: ({ room, at }: { room: string; at: string }) => {
        const r = ROOMS[room];
        if (!r) throw new Error(`no room named ${room}; rooms: ${Object.keys(ROOMS).join(", ")}`);
        return {
          room,
          at,
          capacity: r.capacity,
          free: !r.busyAt.includes(at) && !bookings.some((b) => b.room === room && b.at === at),
        };
      },
    },
    {
      name: "book_room",
      description: "Book a meeting room at a time.",
      inputSchema: object({ room: str(), at: { type: "string", format: "date-time" }, title: str() }, [
        "room",
        "at",
        "title",
      ]),
      execute: ({ room, at, title }: { room: string; at: string; title: string }) => {
        const booking = { room, at, title };
        bookings.push(booking);
        return { ...booking, bookingId: `b-${bookings.length}` };
      },
    },
    {
      name: "get_order",
      description: "An order: its customer id and items (sku, quantity, weight per item in kg).",
      inputSchema: object({ orderId: str() }, ["orderId"]),
      execute: ({ orderId }: { orderId: string }) => {
        const order = ORDERS[orderId];
        if (!order) throw new Error(`no order ${orderId}`);
        return order;
      },
    },
    {
      name: "get_customer",
      description: "A customer: name, email and address id.",
      inputSchema: object({ customerId: str() }, ["customerId"]),
      execute: ({ customerId }: { customerId: string }) =>
        CUSTOMERS[customerId] ?? Promise.reject(new Error(`no customer ${customerId}`)),
    },
    {
      name: "get_address",
      description: "A postal address by id.",
      inputSchema: object({ addressId: str() }, ["addressId"]),
      execute: ({ addressId }: { addressId: string }) =>
        ADDRESSES[addressId] ?? Promise.reject(new Error(`no address ${addressId}`)),
    },
    {
      name: "quote_shipping",
      description: "A shipping quote for a parcel to a country and postcode.",
      inputSchema: object({ country: str(), postcode: str(), weightKg: { type: "number", exclusiveMinimum: 0 } }, [
        "country",
        "postcode",
        "weightKg",
      ]),
      execute: ({ country, weightKg }: { country: string; postcode: string; weightKg: number }) => ({
        quoteId: `q-${country}-${Math.round(weightKg * 10)}`,
        carrier: weightKg > 20 ? "freight-co" : "parcel-post",
        priceEur: Math.round((8 + weightKg * 1.2) * 100) / 100,
      }),
    },
    {
      name: "create_shipment",
      description: "Ship an order with a quote; returns the shipment id and a tracking URL.",
      inputSchema: object({ orderId: str(), quoteId: str() }, ["orderId", "quoteId"]),
      execute: ({ orderId, quoteId }: { orderId: string; quoteId: string }) => {
        const shipment = { id: `s-${shipments.length + 1}`, orderId, quoteId };
        shipments.push(shipment);
        return { shipmentId: shipment.id, trackingUrl: `https://track.example.com/${shipment.id}` };
      },
    },
    {
      name: "send_email",
      description: "Send an email.",
      inputSchema: object({ to: { type: "string", format: "email" }, subject: str(), body: str() }, [
        "to",
        "subject",
        "body",
      ]),
      execute: ({ to, subject }: { to: string; subject: string; body: string }) => {
        mails.push({ to, subject });
        return { messageId: `m-${mails.length}` };
      },
    },
    {
      name: "export_report",
      description: "Export rows as a report; returns its URL. The export service is sometimes briefly unavailable.",
      inputSchema: object({ title: str(), rows: { type: "array", items: { type: "object" } } }, ["title", "rows"]),
      execute: ({ title, rows }: { title: string; rows: unknown[] }) => {
        // The first attempt of every run fails, as a flaky service would.
        if (++exportAttempts === 1) throw new Error("export service unavailable (503); try again");
        reports.push({ title, rows: rows.length });
        return { url: `https://reports.example.com/${reports.length}` };
      },
    },
  ];

  return {
    tools,
    state: () => ({
      events: events.map(({ title, at, attendees }) => ({ title, at, attendees: [...attendees].sort() })),
      bookings,
      mails,
      shipments,
      reports,
      notesWritten: notes.slice(NOTES.length).map((n) => n.text),
    }),
  };
}
