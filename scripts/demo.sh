#!/usr/bin/env bash
# `make demo`: the quickstart against a registry server, as a team would run it.
#
# Starts `quench registry serve` on loopback with a throwaway home, creates two identities on the
# server (runner: trainer; approver: approver), runs a job whose gate fails (exit 3 expected) and the
# quickstart job as the runner, which uploads and registers the evaluated model (pending approval).
# Then it shows that the runner cannot approve its own model, and prints the exact commands the
# approver runs. The server keeps running so those commands work; the last lines say how to stop it.
# Tokens go to 0600 files in the throwaway home and reach commands through QUENCH_REGISTRY_TOKEN_FILE,
# never argv.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release/quench

demo=$(mktemp -d /tmp/quench-demo.XXXXXX)
server_home="$demo/server"
# The client remembers each registry's key and audit checkpoints here (a new server, a new key).
export XDG_STATE_HOME="$demo/state"
umask 077

"$bin" registry serve --home "$server_home" --listen 127.0.0.1:0 2>"$demo/server.log" &
server=$!
stop_on_failure() { kill "$server" 2>/dev/null || true; }
trap stop_on_failure ERR

url=""
for _ in $(seq 1 300); do
    url=$(sed -n 's/^quench registry listening on \(http[^ ]*\).*/\1/p' "$demo/server.log" | head -n 1)
    if [ -n "$url" ]; then break; fi
    if ! kill -0 "$server" 2>/dev/null; then cat "$demo/server.log" >&2; exit 1; fi
    sleep 0.1
done
if [ -z "$url" ]; then echo "demo: the registry server did not start; see $demo/server.log" >&2; exit 1; fi
echo "demo: registry server at $url (home $server_home)"

"$bin" registry users add runner --role trainer --home "$server_home" | tail -n 1 >"$demo/runner.token"
"$bin" registry users add approver --role approver --home "$server_home" | tail -n 1 >"$demo/approver.token"
echo "demo: created the identities runner (trainer) and approver (approver); tokens in $demo/*.token (0600)"

export QUENCH_REGISTRY_URL="$url"
export QUENCH_REGISTRY_TOKEN_FILE="$demo/runner.token"
status=0
"$bin" run jobs/smollm2-135m_lora_gate-fail.yaml || status=$?
if [ "$status" -ne 3 ]; then echo "demo: the gate-fail job should exit 3, got $status" >&2; stop_on_failure; exit 1; fi
"$bin" run jobs/smollm2-135m_lora_quickstart.yaml

subject=$("$bin" registry list --name smollm2-135m-person-records --json |
    python3 -c 'import json, sys; print(["%s@%d" % (v["name"], v["version"]) for v in json.load(sys.stdin) if v["status"] == "pending_approval"][-1])')

echo
echo "demo: the runner registered $subject; approving it as the runner is refused by the server:"
if "$bin" registry approve "$subject" --note "my own model"; then
    echo "demo: the server accepted a self-approval" >&2; stop_on_failure; exit 1
fi

cat <<NEXT

The registry server keeps running (pid $server). As the approver, in this shell:
  export QUENCH_REGISTRY_URL=$url XDG_STATE_HOME=$XDG_STATE_HOME QUENCH_REGISTRY_TOKEN_FILE=$demo/approver.token
  $bin registry approve $subject --note "report reviewed"
  $bin registry promote $subject --to production
  $bin audit verify
Or in a browser: open $url/ui/models/${subject%@*}/versions/${subject#*@}, sign in with the token in
$demo/approver.token, read the lineage, gate and loss curve, then approve and promote there.
Stop the server with: kill $server
NEXT
