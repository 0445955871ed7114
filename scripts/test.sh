#!/usr/bin/env bash
# The whole gate behind `npm test`: typecheck, lint, format check, then every test.
set -uo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s\n' "$*"; }
step typecheck && npx tsc -p tsconfig.json --noEmit || exit 1
step lint && npx biome lint --error-on-warnings . || exit 1
step format && npx biome format . || exit 1
step tests && exec bash scripts/run-vitest.sh vitest.config.ts "$@"
