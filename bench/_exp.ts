import { readFileSync } from "node:fs";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
const text = readFileSync("/tmp/te/github.d.ts", "utf8");
const c = (t: string) => countTokens(JSON.stringify(t));
console.log("as is", c(text), "raw", countTokens(text));
console.log("no indent", c(text.replace(/\n +/g, "\n")));
console.log("1-space", c(text.replace(/\n( +)/g, (_, s) => "\n" + " ".repeat(s.length / 2))));
// trailing comments for single-line JSDoc before a member
const trailing = text.replace(/\n( *)\/\*\* (.*?) \*\/\n *([^\n]*;)/g, (_, ind, d, m) => `\n${ind}${m} // ${d}`);
console.log("trailing //", c(trailing), "no indent + trailing", c(trailing.replace(/\n +/g, "\n")));
// multi-line jsdoc: drop " * " prefix
const bare = text.replace(/\n *\* /g, "\n").replace(/\n *\*\n/g, "\n\n");
console.log("no star prefix", c(bare));
let comments = 0; for (const m of text.match(/\/\*[\s\S]*?\*\//g)!) comments += c(m);
console.log("comments tokens", comments);
let ws = (text.match(/\n */g) ?? []).map((m)=>c(m)-2).reduce((a,b)=>a+b,0); console.log("newline+indent tokens", ws);
