// Parse Mermaid diagrams with the real Mermaid parser.
// Input on stdin: a JSON list of diagram sources. Output: a JSON list of
// {"ok": true} or {"ok": false, "error": "..."}, one per diagram, in order.
// Mermaid expects a browser; jsdom gives it a window and a document first.
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;

const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });

let input = "";
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const source of JSON.parse(input)) {
  try {
    await mermaid.parse(source);
    results.push({ ok: true });
  } catch (error) {
    results.push({ ok: false, error: String(error && error.message ? error.message : error) });
  }
}
process.stdout.write(JSON.stringify(results));
