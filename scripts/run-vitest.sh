#!/usr/bin/env bash
# Runs vitest with one config and ends with a plain "N passed, N failed" line, which CI reads.
set -uo pipefail
cd "$(dirname "$0")/.."
config="${1:?usage: run-vitest.sh CONFIG [vitest args]}"
shift
mkdir -p .test-results
results=".test-results/$(basename "$config" .ts).json"
rm -f "$results"
npx vitest run --config "$config" --reporter=default --reporter=json --outputFile.json="$results" "$@"
status=$?
if [ ! -f "$results" ]; then
  echo "0 passed, 1 failed (vitest wrote no results)"
  exit 1
fi
node -e '
  const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$results" || exit 1
exit $status
