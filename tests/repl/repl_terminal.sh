#!/usr/bin/env bash
# `sluice repl` in a real terminal: tmux runs it in a pane, send-keys types, capture-pane
# reads the screen. Checks Tab completion (names, :commands, :load paths), Up-arrow history recall,
# multi-line rule entry, Ctrl-C on a line and inside a statement, Ctrl-D, and the history
# file in $HOME. Usage: repl_terminal.sh SLUICE_BINARY SOURCE_DIR. Exit 77 = skipped.
set -euo pipefail

sluice=$1
source_dir=$2
if ! command -v tmux >/dev/null 2>&1; then
  echo "skipped: tmux is not installed (scripts/install-deps installs it)"
  exit 77
fi

home=$(mktemp -d)
socket="sluice-repl-test-$$"
pane="repl"
cleanup() {
  tmux -L "$socket" kill-server >/dev/null 2>&1 || true
  rm -rf "$home" 2>/dev/null || true
}
trap cleanup EXIT

fail() {
  echo "FAIL: $1"
  echo "---- screen ----"
  tmux -L "$socket" capture-pane -p -t "$pane" || true
  exit 1
}

# (capture-pane drops the blanks at the end of each line.)
screen() { tmux -L "$socket" capture-pane -p -t "$pane"; }

# Waits until the screen matches the extended regex $1 (up to 15 s).
wait_for() {
  for _ in $(seq 150); do
    if screen | grep -Eq -- "$1"; then return 0; fi
    sleep 0.1
  done
  fail "timed out waiting for /$1/"
}

# The last non-empty line of the screen.
last_line() { screen | sed '/^$/d' | tail -n 1; }

# The screen's last line becomes a bare prompt within 15 s (a sanitizer build on a loaded
# machine can take over a second to redraw); fails with MESSAGE otherwise.
wait_for_prompt() {
  for _ in $(seq 150); do
    [ "$(last_line)" = "sluice>" ] && return 0
    sleep 0.1
  done
  fail "$1"
}

send() { tmux -L "$socket" send-keys -t "$pane" "$@"; }

tmux -L "$socket" -f /dev/null new-session -d -s "$pane" -x 150 -y 50 \
  "cd '$source_dir' && HOME='$home' TERM=xterm NO_COLOR=1 '$sluice' repl --data examples/data; echo REPL-EXITED; sleep 30"
wait_for '^sluice> ?$'

# 1. Tab completes a series name; Enter evaluates it.
send -l "russ"
send Tab
wait_for '^sluice> russell ?$'
send Enter
wait_for '^2746\.26 on 2026-06-30'

# 2. Tab completes a :command.
send -l ":ser"
send Tab
wait_for '^sluice> :series ?$'
send Enter
wait_for '^tga +examples/data/tga\.csv'

# 2b. After :load, Tab completes paths: a folder (ending in /), then a rule file in it.
send -l ":load exam"
send Tab
wait_for '^sluice> :load examples/$'
send -l "rot"
send Tab
wait_for '^sluice> :load examples/rotation\.sluice ?$'
send C-u

# 3. Several candidates: Tab lists them and keeps the line.
send -l "ru"
send Tab
wait_for '^rule +russell *$'
wait_for '^sluice> ru$'
send C-u
send -l "spx"
send Enter
wait_for '^[0-9.]+ on 2026-06-30'

# 4. Up arrow recalls the previous lines (spx, then :series).
send Up
wait_for '^sluice> spx$'
send Up
wait_for '^sluice> :series$'
send C-u

# 5. Ctrl-C drops the typed line: nothing is evaluated, a fresh prompt follows.
send -l "this is not sluice"
send C-c
wait_for 'this is not sluice\^C$'
wait_for_prompt "no fresh prompt after Ctrl-C"
screen | grep -q "error" && fail "Ctrl-C evaluated the line"

# 6. A rule over several lines: ':' continues, the indented lines join, an empty line ends.
send -l 'rule "terminal test":'
send Enter
wait_for '^   \.\.\.> ?$'
send -l 'when russell breaks 2600'
send Enter
send -l 'then watch alts'
send Enter
send Enter
wait_for '^rule "terminal test": 2 events'
wait_for '^2025-10-16 +terminal test +watch alts +russell=2606\.84'

# 6b. A statement cut short without ':' also asks for more lines.
send -l 'rule "second test": when russell breaks 2700'
send Enter
wait_for '^   \.\.\.> ?$'
send -l 'then watch btc'
send Enter
send Enter
wait_for '^rule "second test": [0-9]+ events?'

# 7. Ctrl-C inside a statement drops the whole statement.
send -l 'rule "dropped":'
send Enter
wait_for '^   \.\.\.> ?$'
send -l 'when spx > 1'
send C-c
wait_for_prompt "no fresh prompt after Ctrl-C in a statement"
send -l ":rules"
send Enter
wait_for '^1\. "terminal test"'
wait_for '^2\. "second test"'
screen | grep -Eq '^[0-9]+\. "dropped"' && fail "the cancelled rule reached the session"

# 8. Ctrl-D leaves; the history file holds the lines typed.
send C-d
wait_for 'REPL-EXITED'
grep -qx 'russell' "$home/.sluice_history" || { cat "$home/.sluice_history"; fail "history file lacks 'russell'"; }
# (libedit writes spaces as \040.)
grep -q 'terminal' "$home/.sluice_history" || fail "history file lacks the rule lines"
grep -q 'this' "$home/.sluice_history" && fail "a cancelled line reached the history"

echo "ok: repl terminal test passed"
