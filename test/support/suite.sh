#!/usr/bin/env bash
# `npm test`: build, then the static checks (format, lint, types, floors, unused exports) alongside the
# tests. The tests keep about 1.7 of the machine's 2 cores busy, and the checks are a minute of their own
# CPU: side by side, the suite ends sooner than one after the other. The checks' output is kept and shown
# after the tests'; the suite fails if either does.
set -uo pipefail
cd "$(dirname "$0")/../.."
PATH="$PWD/node_modules/.bin:$PATH"

npm run -s build || exit $?

checks_log=$(mktemp)
trap 'rm -f "$checks_log"' EXIT
npm run -s checks:static >"$checks_log" 2>&1 &
checks=$!

vitest run "$@"
tests=$?

wait "$checks"
static=$?
cat "$checks_log"
if [ "$static" -ne 0 ]; then echo "npm test: the static checks failed (above)" >&2; fi
[ "$tests" -eq 0 ] && [ "$static" -eq 0 ]
