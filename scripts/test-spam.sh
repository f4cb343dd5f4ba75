#!/usr/bin/env bash
# The spam tests sign tens of thousands of fresh identities inside the mocha process. About one run in three on this
# 2-core VM, that process stops in a futex wait with no CPU while the chat nodes it drives sit idle and healthy, so
# mocha's own timeout never fires. Until that is diagnosed, the file runs on its own under a deadline, and a hang
# (exit 124), and only a hang, is said and run once more. An assertion failure fails at once.
set -u
run() { timeout 300 npx mocha test/integration/spam.test.ts; }
run
status=$?
if [ "$status" -eq 124 ]; then
  echo "spam.test.ts: the test process hung (a known intermittent deadlock in the test process, not in the nodes); running it once more"
  run
  status=$?
fi
exit "$status"
