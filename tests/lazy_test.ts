/**
 * Loading modules lazily (lib/lazy.ts): every entry of the table loads the
 * very module a static import gives. That the calls, their types and
 * compile's --include agree: tests/project/architecture_test.ts.
 */

import assert from "node:assert/strict";
import { LAZY_MODULES, lazyImport } from "../lib/lazy.ts";
import * as hash from "../lib/hash.ts";

Deno.test("lazyImport gives the same module instance as a static import", async () => {
  assert.equal(await lazyImport<typeof import("../lib/hash.ts")>("lib/hash.ts"), hash);
  const loaded = await lazyImport<typeof import("../lib/hash.ts")>("lib/hash.ts");
  assert.equal(loaded.sha256Hex, hash.sha256Hex);
});

Deno.test("every lazy module loads and exports something", async () => {
  for (const module of LAZY_MODULES) {
    const loaded: Record<string, unknown> = await lazyImport(module);
    assert(Object.keys(loaded).length > 0, module);
  }
});
