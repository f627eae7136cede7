// A multi-step program of the kind a model writes: read what memory knows, decide, act, report.
// Run it with `npm start` (code-mode run examples/programs/demo.ts --tools examples/tools.ts).
const people = ["ada", "linus"];

// Fan out: one memory search per person, in parallel.
const notesByPerson = await Promise.all(people.map((tag) => api.memory_read({ tag })));
for (const [i, notes] of notesByPerson.entries()) {
  console.log(`${people[i]}: ${notes.map((n) => n.text).join("; ")}`);
}

// Decide: Tuesday after 14:00 suits both (Linus is free on Tuesdays, Ada prefers afternoons).
const slot = "2026-12-01T14:30:00Z";
const event = await api.schedule({ title: "Quarterly review", at: slot, attendees: people });

// A second booking at the same time fails; the program catches it and books later instead.
let followUp;
try {
  followUp = await api.schedule({ title: "Review follow-up", at: slot, attendees: ["ada"] });
} catch (error) {
  console.warn(`could not book: ${(error as Error).message}`);
  followUp = await api.schedule({ title: "Review follow-up", at: "2026-12-01T16:00:00Z", attendees: ["ada"] });
}

await api.memory_write({ text: `Booked "${event.title}" at ${event.at}`, tags: ["review", ...people] });
return { booked: [event, followUp].map((e) => `${e.title} @ ${e.at}`), notesRead: notesByPerson.flat().length };
