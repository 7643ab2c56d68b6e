import assert from "node:assert/strict";
import { removeMembers, scanObject, setMember } from "../../lib/opencode/json_edit.ts";

const OPENCODE_STYLE = `{
  "openai": {
    "type": "api",
    "key": "k1"
  },
  "anthropic": {
    "type": "oauth",
    "refresh": "r",
    "access": "a",
    "expires": 1
  },
  "zeta": {"type": "api", "key": "z", "n": 1.50e+3}
}`;

Deno.test("scanObject finds members with escaped keys, nested values and strings holding braces", () => {
  const text = `{"a\\u006e": {"x": "}{\\"]"}, "b": [1, {"c": []}], "n": -1.5e-3, "t": true}`;
  const layout = scanObject(text);
  assert.deepEqual(layout.members.map((m) => m.key), ["an", "b", "n", "t"]);
  for (const member of layout.members) {
    JSON.parse(text.slice(member.valueStart, member.valueEnd));
  }
  assert.equal(text[layout.close], "}");
});

Deno.test("setMember replaces in place, keeping every other byte", () => {
  const out = setMember(OPENCODE_STYLE, "anthropic", { type: "api", key: "new" });
  assert.equal(
    out,
    OPENCODE_STYLE.replace(
      /"anthropic": \{[^}]*\}/,
      `"anthropic": {\n    "type": "api",\n    "key": "new"\n  }`,
    ),
  );
  assert.deepEqual(JSON.parse(out).anthropic, { type: "api", key: "new" });
});

Deno.test("setMember appends after the last member with the file's own separator", () => {
  const base = `{\n  "openai": {"type": "api", "key": "k"}\n}\n`;
  const out = setMember(base, "anthropic", { type: "api", key: "x" });
  assert.equal(
    out,
    `{\n  "openai": {"type": "api", "key": "k"},\n  "anthropic": {\n    "type": "api",\n    "key": "x"\n  }\n}\n`,
  );
});

Deno.test("setMember keeps a compact file compact, and fills an empty object", () => {
  assert.equal(
    setMember(`{"openai":{"type":"api","key":"k"}}`, "anthropic", { type: "api", key: "x" }),
    `{"openai":{"type":"api","key":"k"},"anthropic":{"type":"api","key":"x"}}`,
  );
  const empty = setMember("{}", "anthropic", { type: "api", key: "x" });
  assert.equal(empty, `{\n  "anthropic": {\n    "type": "api",\n    "key": "x"\n  }\n}`);
  assert.deepEqual(JSON.parse(setMember(" \n{ } \n", "anthropic", 1)), { anthropic: 1 });
});

Deno.test("setMember with duplicate keys keeps one: the last position, the new value", () => {
  const text = `{"anthropic": 1, "a": 2, "anthropic": 3}`;
  const out = setMember(text, "anthropic", 4);
  assert.deepEqual(JSON.parse(out), { a: 2, anthropic: 4 });
  assert.equal(scanObject(out).members.filter((m) => m.key === "anthropic").length, 1);
});

Deno.test("removeMembers cuts first, middle, last and only members cleanly", () => {
  const three = `{\n  "a": 1,\n  "anthropic": {"x": 1},\n  "c": 3\n}`;
  assert.equal(removeMembers(three, "anthropic"), `{\n  "a": 1,\n  "c": 3\n}`);
  assert.equal(removeMembers(`{"anthropic": 1, "b": 2}`, "anthropic"), `{"b": 2}`);
  assert.equal(removeMembers(`{"b": 2, "anthropic": 1}`, "anthropic"), `{"b": 2}`);
  assert.equal(removeMembers(`{\n  "anthropic": 1\n}\n`, "anthropic"), `{}\n`);
  assert.equal(removeMembers(`{"b": 2}`, "anthropic"), `{"b": 2}`);
  assert.equal(removeMembers(`{"anthropic": 1, "anthropic": 2, "c": 0}`, "anthropic"), `{"c": 0}`);
});

Deno.test("a round trip set then remove restores the original text exactly", () => {
  const original = `{\n  "openai": {"type": "api", "key": "k", "big": 1e400},\n  "z": [1,2]\n}`;
  const added = setMember(original, "anthropic", { type: "api", key: "x" });
  assert.equal(removeMembers(added, "anthropic"), original);
});

Deno.test("a BOM before the object is kept", () => {
  const out = setMember(`\uFEFF{"a": 1}`, "anthropic", 2);
  assert(out.startsWith("\uFEFF{"));
  assert.deepEqual(JSON.parse(out.slice(1)), { a: 1, anthropic: 2 });
});

Deno.test("scanObject rejects text that is not an object", () => {
  assert.throws(() => scanObject("[1]"), SyntaxError);
  assert.throws(() => scanObject(""), SyntaxError);
});
