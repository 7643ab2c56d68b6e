/**
 * parseJson: the problem names the kind and the position, and never quotes
 * the text (V8's messages do, and the text may be another provider's secret).
 */

import assert from "node:assert/strict";
import { isPlainObject, parseJson } from "../lib/json.ts";

const SECRET = "sk-ant-api03-SECRETSECRET";

function problemOf(text: string): string {
  const result = parseJson(text);
  assert("problem" in result, `should not parse: ${JSON.stringify(text)}`);
  return result.problem;
}

/** Whether `problem` carries anything of `text` beyond its own fixed words. */
function assertNoExcerpt(problem: string, text: string) {
  assert(!problem.includes(SECRET), problem);
  assert(!problem.includes("SECRET"), problem);
  assert(!problem.includes('"'), `quotes something: ${problem}`);
  assert(!/is not valid JSON|Unexpected token/.test(problem), `V8's words: ${problem}`);
  assert(/^invalid JSON( at line \d+, column \d+)?: [a-z ',:'}\]()?]+$/.test(problem), problem);
  void text;
}

Deno.test("valid JSON parses to its value", () => {
  assert.deepEqual(parseJson('{"a":[1,true,null,"x"]}'), { value: { a: [1, true, null, "x"] } });
  assert.deepEqual(parseJson(" 3 "), { value: 3 });
});

Deno.test("no V8 message kind lets an excerpt of the text through", () => {
  const cases: [string, RegExp][] = [
    [SECRET, /^invalid JSON at line 1, column 1: unexpected character$/],
    [`{"openai": ${SECRET}}`, /line 1, column 12: unexpected character$/],
    [`{"k": "${SECRET}\u0001"}`, /line 1, column \d+: control character in a string$/],
    [`{"k": "${SECRET}\\q"}`, /bad escape in a string$/],
    [`{"k": "${SECRET}`, /unterminated string$/],
    [`{"k": "${SECRET}",}`, /expected a property name \(a trailing comma\?\)$/],
    [`{"k": "${SECRET}" x}`, /expected ',' or '}' after a value$/],
    [`["${SECRET}" 1]`, /expected ',' or '\]' after an array element$/],
    [`{"${SECRET}" 1}`, /expected ':' after a property name$/],
    [`{${SECRET}: 1}`, /line 1, column 2: expected a property name or '}'$/],
    [`{"k": 1} ${SECRET}`, /unexpected text after the value$/],
    [`{"k": -${SECRET}}`, /malformed number$/],
    [`{"k": 1e${SECRET}}`, /malformed number$/],
    [`{"k": "${SECRET}"`, /expected ',' or '}' after a value$/],
    [`{"k": [1, `, /unexpected end of input$/],
    ["", /^invalid JSON at line 1, column 1: unexpected end of input$/],
    [`\ufeff{"k": "${SECRET}"}`, /line 1, column 1: unexpected character$/],
    [`{"k": nope${SECRET}}`, /unexpected character$/],
  ];
  for (const [text, expected] of cases) {
    const problem = problemOf(text);
    assert.match(problem, expected, JSON.stringify(text));
    assertNoExcerpt(problem, text);
  }
});

Deno.test("the position is given as line and column of the original text", () => {
  const text = '{\n  "a": 1,\n  "b": xyz\n}';
  assert.equal(problemOf(text), "invalid JSON at line 3, column 8: unexpected character");
  assert.equal(
    problemOf('{\n  "a": 1,\n}'),
    "invalid JSON at line 3, column 1: expected a property name (a trailing comma?)",
  );
  assert.equal(problemOf('{"a":\n'), "invalid JSON at line 2, column 1: unexpected end of input");
});

Deno.test("nesting too deep for the position scan still gives a problem without excerpt", () => {
  const text = "[".repeat(200_000) + SECRET;
  const problem = problemOf(text);
  assertNoExcerpt(problem, text);
});

Deno.test("isPlainObject: objects only, not arrays or null", () => {
  assert.equal(isPlainObject({}), true);
  assert.equal(isPlainObject({ a: 1 }), true);
  for (const value of [null, [], "x", 1, true, undefined]) {
    assert.equal(isPlainObject(value), false, String(value));
  }
});
