#!/usr/bin/env bash
# Prints, from test output (the file given), what a reader of a red run needs first: the
# failed tests and their issues, runtime traps with the crashed thread's frames, and the tests
# that started and never ended (the ones running when a process crashed). Output is long;
# this goes last so it is what a truncated log keeps.
set -uo pipefail
output="$1"
echo "[digest] ---- why the run is red ----"
echo "[digest] failed tests and their issues (first 40):"
grep -aE '✘ Test .*(failed|recorded an issue)|^↳ ' "$output" | grep -avE '^↳ (Testing Library|Target Platform|///)' \
    | head -n 40 | sed 's/^/[digest]   /'
echo "[digest] traps and crashes:"
grep -aE 'Fatal error|Program crashed|exited with unexpected signal|Precondition failed|Assertion failed' "$output" \
    | head -n 10 | sed 's/^/[digest]   /'
echo "[digest] crashed thread (first 25 frames):"
awk '/Thread [0-9]+.* crashed:/ {show = 1; n = 0}
     show && /^Thread [0-9]+/ && !/crashed:/ {show = 0}
     show && n < 27 {print "[digest]   " $0; n++}' "$output"
echo "[digest] tests started and never finished:"
# (A parameterized test's cases start without a line of their own at the end: left out.)
awk '/◇ Test .* started\./ {name = $0; sub(/.*◇ Test /, "", name); sub(/ started\..*/, "", name)
                            if (name != "run" && name !~ /^case passing /) open[name] = 1}
     /(✔|✘) Test .* (passed|failed) after/ {name = $0; sub(/.*(✔|✘) Test /, "", name); sub(/ (passed|failed) after.*/, "", name); delete open[name]}
     END {n = 0; for (name in open) if (n++ < 20) print "[digest]   " name}' "$output"
