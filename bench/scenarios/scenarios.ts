import { answer, type Conversation, call, type Decision } from "./scripted-model.ts";

// Multi-step tasks, each with the two scripted models a competent model would be in each mode.
// Classic: one tool call per model call (parallel calls where the calls are independent), every
// decision read from the results in the prompt. Code: one program; its fix when it fails.

/** Where a scenario's tools come from: the in-process office, or the real MCP reference servers. */
export type World = "office" | "mcp";

export interface ScenarioContext {
  /** The folder the MCP filesystem server serves (mcp scenarios). */
  filesDir: string;
}

export interface Scenario {
  name: string;
  /** The kind of task, as issue 5 lists them. */
  kind: string;
  world: World;
  task(ctx: ScenarioContext): string;
  classic(ctx: ScenarioContext): (conversation: Conversation) => Decision;
  code(ctx: ScenarioContext): { programs: string[]; respond(result: unknown): string };
  /** Model calls of the competent classic loop (tool rounds plus the answer), for the tests. */
  classicModelCalls: number;
  /** Both modes' first attempt is wrong and gets fixed (the code model sends a second program). */
  firstAttemptFails?: boolean;
}

interface Member {
  name: string;
  role: string;
  email: string;
}
interface Note {
  id: number;
  text: string;
  tags: string[];
}

const texts = (notes: unknown) => (notes as Note[]).map((n) => n.text).join("; ") || "nothing noted";
const list = (value: unknown) => (Array.isArray(value) ? value.join("\n") : JSON.stringify(value));

// Same slot arithmetic in both modes, so that both book the same times.
const slotAt = (i: number) => new Date(Date.UTC(2026, 11, 7, 9, 30 * i)).toISOString();

export const SCENARIOS: Scenario[] = [
  {
    name: "team-notes",
    kind: "fan-out over a list",
    world: "office",
    task: () => "For every team member, look up the notes tagged with their name and give me one line per person.",
    classicModelCalls: 6,
    classic:
      () =>
      ({ outcomes: [team, ...reads] }) => {
        if (!team) return call("list_team", {});
        const names = (team.value as Member[]).map((m) => m.name);
        if (reads.length < names.length) return call("memory_read", { tag: names[reads.length] });
        return answer(names.map((n, i) => `${n}: ${texts(reads[i]!.value)}`).join("\n"));
      },
    code: () => ({
      programs: [
        `const team = await api.list_team({});
const notes = await Promise.all(team.map((m) => api.memory_read({ tag: m.name })));
return team.map((m, i) => \`\${m.name}: \${notes[i].map((n) => n.text).join("; ") || "nothing noted"}\`);`,
      ],
      respond: list,
    }),
  },
  {
    name: "open-todos",
    kind: "filter then act",
    world: "office",
    task: () =>
      "Find the open to-do notes (tagged todo, not tagged done) and book a 30-minute work session for each owner (the note's other tag) on 2026-12-07, one after another from 09:00 UTC.",
    classicModelCalls: 5,
    classic:
      () =>
      ({ outcomes: [todos, ...booked] }) => {
        if (!todos) return call("memory_read", { tag: "todo" });
        const open = (todos.value as Note[]).filter((n) => !n.tags.includes("done"));
        const i = booked.length;
        const note = open[i];
        if (note) {
          const owner = note.tags.find((t) => t !== "todo");
          return call("schedule", { title: note.text, at: slotAt(i), attendees: [owner] });
        }
        return answer(
          booked.map((b) => `${(b.input as { at: string }).at}: ${(b.input as { title: string }).title}`).join("\n"),
        );
      },
    code: () => ({
      programs: [
        `const todos = await api.memory_read({ tag: "todo" });
const open = todos.filter((n) => !n.tags.includes("done"));
const booked = [];
for (const [i, note] of open.entries()) {
  const owner = note.tags.find((t) => t !== "todo")!;
  const at = new Date(Date.UTC(2026, 11, 7, 9, 30 * i)).toISOString();
  booked.push(await api.schedule({ title: note.text, at, attendees: [owner] }));
}
return booked.map((e) => \`\${e.at}: \${e.title}\`);`,
      ],
      respond: list,
    }),
  },
  {
    name: "week-hours",
    kind: "aggregate",
    world: "office",
    task: () => "How many hours did the team log in ISO week 48, per project and in total?",
    classicModelCalls: 6,
    classic:
      () =>
      ({ outcomes: [team, ...sheets] }) => {
        if (!team) return call("list_team", {});
        const names = (team.value as Member[]).map((m) => m.name);
        if (sheets.length < names.length) return call("get_timesheet", { person: names[sheets.length], week: 48 });
        const perProject: Record<string, number> = {};
        for (const sheet of sheets) {
          for (const e of (sheet.value as { entries: { project: string; hours: number }[] }).entries) {
            perProject[e.project] = (perProject[e.project] ?? 0) + e.hours;
          }
        }
        const total = Object.values(perProject).reduce((a, b) => a + b, 0);
        return answer(`Week 48: ${JSON.stringify(perProject)}, ${total} hours in total.`);
      },
    code: () => ({
      programs: [
        `const team = await api.list_team({});
const sheets = await Promise.all(team.map((m) => api.get_timesheet({ person: m.name, week: 48 })));
const perProject: Record<string, number> = {};
for (const sheet of sheets) for (const e of sheet.entries) perProject[e.project] = (perProject[e.project] ?? 0) + e.hours;
const total = Object.values(perProject).reduce((a, b) => a + b, 0);
return { perProject, total };`,
      ],
      respond: (r) => {
        const { perProject, total } = r as { perProject: Record<string, number>; total: number };
        return `Week 48: ${JSON.stringify(perProject)}, ${total} hours in total.`;
      },
    }),
  },
  {
    name: "quarterly-review",
    kind: "conditional branches",
    world: "office",
    task: () =>
      "Book the quarterly review for 2026-12-02T14:00:00Z with the people the notes say it needs. Anyone travelling that day is left out and gets an email instead.",
    classicModelCalls: 6,
    classic:
      () =>
      ({ outcomes: [review, team, trips, booked, ...mailed] }) => {
        const day = "2026-12-02";
        if (!review) return call("memory_read", { query: "quarterly review" });
        if (!team) return call("list_team", {});
        if (!trips) return call("memory_read", { tag: "travel" });
        const reviewText = ((review.value as Note[])[0]?.text ?? "").toLowerCase();
        const needed = (team.value as Member[]).filter((m) => reviewText.includes(m.name));
        const away = needed.filter((m) => travelling(trips.value as Note[], m.name, day));
        const present = needed.filter((m) => !away.includes(m));
        if (!booked) {
          return call("schedule", {
            title: "Quarterly review",
            at: `${day}T14:00:00Z`,
            attendees: present.map((m) => m.name),
          });
        }
        const next = away[mailed.length];
        if (next) return call("send_email", reviewMail(next, day, present));
        return answer(
          `Booked the review with ${present.map((m) => m.name).join(", ")}; emailed ${away.map((m) => m.name).join(", ") || "nobody"}.`,
        );
      },
    code: () => ({
      programs: [
        `const day = "2026-12-02";
const [review] = await api.memory_read({ query: "quarterly review" });
const team = await api.list_team({});
const trips = await api.memory_read({ tag: "travel" });
const needed = team.filter((m) => review.text.toLowerCase().includes(m.name));
const away = needed.filter((m) =>
  trips.some((t) => {
    const [from, to] = t.text.match(/\\d{4}-\\d{2}-\\d{2}/g) ?? [];
    return t.text.toLowerCase().includes(m.name) && from !== undefined && to !== undefined && from <= day && day <= to;
  }),
);
const present = needed.filter((m) => !away.includes(m));
await api.schedule({ title: "Quarterly review", at: \`\${day}T14:00:00Z\`, attendees: present.map((m) => m.name) });
for (const m of away) {
  await api.send_email({
    to: m.email,
    subject: "Quarterly review",
    body: \`You are travelling on \${day}; the review goes ahead with \${present.map((p) => p.name).join(", ")}. Notes will follow.\`,
  });
}
return { present: present.map((m) => m.name), emailed: away.map((m) => m.name) };`,
      ],
      respond: (r) => {
        const { present, emailed } = r as { present: string[]; emailed: string[] };
        return `Booked the review with ${present.join(", ")}; emailed ${emailed.join(", ") || "nobody"}.`;
      },
    }),
  },
  {
    name: "export-directory",
    kind: "retry after a tool error",
    world: "office",
    task: () => "Export the team directory as a report titled 'Team directory' and give me its URL.",
    classicModelCalls: 4,
    classic:
      () =>
      ({ outcomes: [team, ...exports] }) => {
        if (!team) return call("list_team", {});
        const last = exports.at(-1);
        if (!last || (!last.ok && exports.length < 3))
          return call("export_report", { title: "Team directory", rows: team.value });
        return answer(
          last.ok
            ? `The report is at ${(last.value as { url: string }).url}.`
            : `The export kept failing: ${last.text}`,
        );
      },
    code: () => ({
      programs: [
        `const team = await api.list_team({});
for (let attempt = 1; ; attempt++) {
  try {
    return await api.export_report({ title: "Team directory", rows: team });
  } catch (error) {
    if (attempt === 3) throw error;
    console.log(\`attempt \${attempt} failed: \${(error as Error).message}\`);
  }
}`,
      ],
      respond: (r) => `The report is at ${(r as { url: string }).url}.`,
    }),
  },
  {
    name: "free-room",
    kind: "parallel calls",
    world: "office",
    task: () =>
      "Rooms aurora, borealis, cirrus and delta: find one that is free at 2026-12-01T10:00:00Z and seats at least 6, and book it for the design review.",
    // The classic model asks for the four statuses at once (parallel tool calls in one step).
    classicModelCalls: 3,
    classic:
      () =>
      ({ outcomes }) => {
        const at = "2026-12-01T10:00:00Z";
        const rooms = ["aurora", "borealis", "cirrus", "delta"];
        if (outcomes.length === 0)
          return { calls: rooms.map((room) => ({ tool: "room_status", input: { room, at } })) };
        const booked = outcomes.find((o) => o.tool === "book_room");
        if (booked) return answer(`Booked ${(booked.value as { room: string }).room} for the design review.`);
        const statuses = outcomes.map((o) => o.value as { room: string; free: boolean; capacity: number });
        const room = statuses.find((s) => s.free && s.capacity >= 6);
        if (!room) return answer("No room is free for 6 at that time.");
        return call("book_room", { room: room.room, at, title: "Design review" });
      },
    code: () => ({
      programs: [
        `const at = "2026-12-01T10:00:00Z";
const statuses = await Promise.all(["aurora", "borealis", "cirrus", "delta"].map((room) => api.room_status({ room, at })));
const room = statuses.find((s) => s.free && s.capacity >= 6);
if (!room) return "No room is free for 6 at that time.";
const booking = await api.book_room({ room: room.room, at, title: "Design review" });
return \`Booked \${booking.room} for the design review.\`;`,
      ],
      respond: String,
    }),
  },
  {
    name: "ship-order",
    kind: "a long chain",
    world: "office",
    task: () =>
      "Ship order 1042: find its customer and their address, get a shipping quote for the total weight, create the shipment, email the customer the tracking link, and note the shipment in memory.",
    classicModelCalls: 8,
    classic:
      () =>
      ({ outcomes: [order, customer, address, quote, shipment, mail, note] }) => {
        if (!order) return call("get_order", { orderId: "1042" });
        const o = order.value as { customerId: string; items: { qty: number; kg: number }[] };
        if (!customer) return call("get_customer", { customerId: o.customerId });
        const c = customer.value as { name: string; email: string; addressId: string };
        if (!address) return call("get_address", { addressId: c.addressId });
        const a = address.value as { country: string; postcode: string };
        const weightKg = o.items.reduce((sum, item) => sum + item.qty * item.kg, 0);
        if (!quote) return call("quote_shipping", { country: a.country, postcode: a.postcode, weightKg });
        const q = quote.value as { quoteId: string };
        if (!shipment) return call("create_shipment", { orderId: "1042", quoteId: q.quoteId });
        const s = shipment.value as { shipmentId: string; trackingUrl: string };
        if (!mail) return call("send_email", shipMail(c, s.trackingUrl));
        if (!note) return call("memory_write", { text: `Order 1042 shipped as ${s.shipmentId}`, tags: ["orders"] });
        return answer(`Order 1042 shipped as ${s.shipmentId}; ${c.name} has the tracking link.`);
      },
    code: () => ({
      programs: [
        `const order = await api.get_order({ orderId: "1042" });
const customer = await api.get_customer({ customerId: order.customerId });
const address = await api.get_address({ addressId: customer.addressId });
const weightKg = order.items.reduce((sum, item) => sum + item.qty * item.kg, 0);
const quote = await api.quote_shipping({ country: address.country, postcode: address.postcode, weightKg });
const shipment = await api.create_shipment({ orderId: "1042", quoteId: quote.quoteId });
await api.send_email({
  to: customer.email,
  subject: "Your order 1042 is on its way",
  body: \`Hello \${customer.name}, track your parcel at \${shipment.trackingUrl}\`,
});
await api.memory_write({ text: \`Order 1042 shipped as \${shipment.shipmentId}\`, tags: ["orders"] });
return { shipmentId: shipment.shipmentId, customer: customer.name };`,
      ],
      respond: (r) => {
        const { shipmentId, customer } = r as { shipmentId: string; customer: string };
        return `Order 1042 shipped as ${shipmentId}; ${customer} has the tracking link.`;
      },
    }),
  },
  {
    name: "files-to-graph",
    kind: "mixed-server task",
    world: "mcp",
    task: ({ filesDir }) =>
      `Build the knowledge graph from the Markdown files in ${filesDir}: an entity for each person (type person, their role as an observation) and each project (type project), and a works_on relation from each person to each of their projects.`,
    classicModelCalls: 5,
    classic:
      ({ filesDir }) =>
      ({ outcomes: [listing, files, entities, relations] }) => {
        if (!listing) return call("files__list_directory", { path: filesDir });
        if (!files)
          return call("files__read_multiple_files", { paths: markdownPaths(filesDir, contentOf(listing.value)) });
        const graph = parseGraph(contentOf(files.value));
        if (!entities) return call("memory__create_entities", { entities: graph.entities });
        if (!relations) return call("memory__create_relations", { relations: graph.relations });
        return answer(`Created ${graph.entities.length} entities and ${graph.relations.length} relations.`);
      },
    code: ({ filesDir }) => ({
      programs: [
        `const dir = ${JSON.stringify(filesDir)};
const listing = await api.files.list_directory({ path: dir });
const paths = listing.content.split("\\n").filter((l) => l.startsWith("[FILE] ") && l.endsWith(".md")).map((l) => \`\${dir}/\${l.slice(7)}\`);
const { content } = await api.files.read_multiple_files({ paths });
const entities = [];
const relations = [];
for (const line of content.split("\\n")) {
  const person = line.match(/^- ([A-Z]\\w*): (.+)$/);
  if (person) entities.push({ name: person[1], entityType: "person", observations: [person[2]] });
  const project = line.match(/^- ([a-z]\\w*): (.+)$/);
  if (project) {
    entities.push({ name: project[1], entityType: "project", observations: [] });
    for (const who of project[2].split(", ")) relations.push({ from: who, to: project[1], relationType: "works_on" });
  }
}
await api.memory.create_entities({ entities });
await api.memory.create_relations({ relations });
return { entities: entities.length, relations: relations.length };`,
      ],
      respond: (r) => {
        const { entities, relations } = r as { entities: number; relations: number };
        return `Created ${entities} entities and ${relations} relations.`;
      },
    }),
  },
  {
    name: "note-then-list",
    kind: "a fix after a wrong call",
    world: "office",
    task: () =>
      "Note that Margaret's release checklist was reviewed (tags margaret, release), then list Margaret's notes.",
    classicModelCalls: 4,
    firstAttemptFails: true,
    classic:
      () =>
      ({ outcomes }) => {
        const text = "Margaret's release checklist was reviewed";
        const tags = ["margaret", "release"];
        // The first call uses a wrong argument name; the model reads the error and fixes it.
        if (outcomes.length === 0) return call("memory_write", { note: text, tags });
        if (outcomes.length === 1) return call("memory_write", { text, tags });
        if (outcomes.length === 2) return call("memory_read", { tag: "margaret" });
        return answer(texts(outcomes[2]!.value));
      },
    code: () => ({
      programs: [
        `await api.memory_write({ note: "Margaret's release checklist was reviewed", tags: ["margaret", "release"] });
const notes = await api.memory_read({ tag: "margaret" });
return notes.map((n) => n.text);`,
        `await api.memory_write({ text: "Margaret's release checklist was reviewed", tags: ["margaret", "release"] });
const notes = await api.memory_read({ tag: "margaret" });
return notes.map((n) => n.text);`,
      ],
      respond: (r) => (r as string[]).join("; "),
    }),
  },
];

function travelling(trips: Note[], name: string, day: string): boolean {
  return trips.some((t) => {
    const [from, to] = t.text.match(/\d{4}-\d{2}-\d{2}/g) ?? [];
    return t.text.toLowerCase().includes(name) && from !== undefined && to !== undefined && from <= day && day <= to;
  });
}

function reviewMail(m: Member, day: string, present: Member[]) {
  return {
    to: m.email,
    subject: "Quarterly review",
    body: `You are travelling on ${day}; the review goes ahead with ${present.map((p) => p.name).join(", ")}. Notes will follow.`,
  };
}

function shipMail(c: { name: string; email: string }, trackingUrl: string) {
  return {
    to: c.email,
    subject: "Your order 1042 is on its way",
    body: `Hello ${c.name}, track your parcel at ${trackingUrl}`,
  };
}

function contentOf(value: unknown): string {
  return typeof value === "object" && value !== null
    ? String((value as { content?: unknown }).content ?? "")
    : String(value);
}

function markdownPaths(dir: string, listing: string): string[] {
  return listing
    .split("\n")
    .filter((l) => l.startsWith("[FILE] ") && l.endsWith(".md"))
    .map((l) => `${dir}/${l.slice(7)}`);
}

function parseGraph(content: string) {
  const entities: { name: string; entityType: string; observations: string[] }[] = [];
  const relations: { from: string; to: string; relationType: string }[] = [];
  for (const line of content.split("\n")) {
    const person = line.match(/^- ([A-Z]\w*): (.+)$/);
    if (person) entities.push({ name: person[1]!, entityType: "person", observations: [person[2]!] });
    const project = line.match(/^- ([a-z]\w*): (.+)$/);
    if (project) {
      entities.push({ name: project[1]!, entityType: "project", observations: [] });
      for (const who of project[2]!.split(", "))
        relations.push({ from: who, to: project[1]!, relationType: "works_on" });
    }
  }
  return { entities, relations };
}
