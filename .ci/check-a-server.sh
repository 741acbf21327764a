#!/usr/bin/env bash
# Starts a SCIM server, waits until it answers, runs scimcheck against it with a JUnit report,
# and stops the server. The CI recipes in docs/ci.md run these same lines; .ci/run runs them
# against the reference server, so they stay true.
#   SCIMCHECK     the scimcheck binary (default: scimcheck on the PATH)
#   SERVER_CMD    the command that starts your server (run in the background)
#   SCIM_BASE_URL its SCIM base URL, e.g. http://127.0.0.1:8080/scim/v2
#   SCIM_TOKEN    a bearer token it accepts
#   JUNIT         where to write the JUnit report (default: scimcheck-junit.xml)
set -euo pipefail
SCIMCHECK="${SCIMCHECK:-scimcheck}"
JUNIT="${JUNIT:-scimcheck-junit.xml}"
bash -c "$SERVER_CMD" &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -fsS -o /dev/null -H "Authorization: Bearer $SCIM_TOKEN" "$SCIM_BASE_URL/ServiceProviderConfig" && break
  sleep 1
done
# Exit codes: 0 conforms, 1 a MUST-level scenario failed, 2 the run could not start.
"$SCIMCHECK" check --base-url "$SCIM_BASE_URL" --token "$SCIM_TOKEN" --junit "$JUNIT"
