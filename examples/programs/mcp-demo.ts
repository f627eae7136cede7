// One program over two real MCP servers: read the team files, build a knowledge graph of who works
// with whom, query it, and write a report back to disk.
// Run: node bin/code-mode.js run examples/programs/mcp-demo.ts --config examples/mcp/code-mode.json5
const [root] = (await api.files.list_allowed_directories({})).content.split("\n").slice(1);
const listing = await api.files.list_directory({ path: root });
console.log(`files in ${root}:\n${listing.content}`);

// Read both files in parallel.
const [team, projects] = await Promise.all([
  api.files.read_text_file({ path: `${root}/team.md` }),
  api.files.read_text_file({ path: `${root}/projects.json` }),
]);

// Turn them into entities and relations.
const people = [...team.content.matchAll(/^- ([^:]+): ([^;]+)/gm)].map(([, name, role]) => ({ name, role }));
const projectList: { name: string; owner: string; members: string[] }[] = JSON.parse(projects.content);
await api.memory.create_entities({
  entities: [
    ...people.map((p) => ({ name: p.name, entityType: "person", observations: [p.role] })),
    ...projectList.map((p) => ({ name: p.name, entityType: "project", observations: [`owned by ${p.owner}`] })),
  ],
});
await api.memory.create_relations({
  relations: projectList.flatMap((p) => [
    { from: p.owner, to: p.name, relationType: "owns" },
    ...p.members.map((m) => ({ from: m, to: p.name, relationType: "works_on" })),
  ]),
});

// Query the graph: everyone connected to each project.
const report: string[] = ["# Projects", ""];
for (const project of projectList) {
  const { relations } = await api.memory.open_nodes({ names: [project.name, ...people.map((p) => p.name)] });
  const who = relations.filter((r) => r.to === project.name).map((r) => `${r.from} (${r.relationType})`);
  report.push(`- ${project.name}: ${who.join(", ")}`);
}

await api.files.create_directory({ path: `${root}/out` });
await api.files.write_file({ path: `${root}/out/report.md`, content: `${report.join("\n")}\n` });
const graph = await api.memory.read_graph({});
return { report, entities: graph.entities.length, relations: graph.relations.length };
