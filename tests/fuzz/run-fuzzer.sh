#!/usr/bin/env bash
# run-fuzzer.sh FUZZER SEED_DIR SECONDS [NAME_PATTERN]: a bounded libFuzzer run seeded with every file under
# SEED_DIR whose name matches NAME_PATTERN (default policy.json). New inputs go to a scratch corpus, so the
# source tree is never written.
set -euo pipefail
fuzzer=$1 seeds=$2 seconds=$3 pattern=${4:-policy.json}
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
i=0
while IFS= read -r -d '' file; do
  cp "$file" "$corpus/seed-$i"; i=$((i + 1))
done < <(find "$seeds" -name "$pattern" -print0)
echo "fuzzing $(basename "$fuzzer") for ${seconds}s from $i seeds"
exec "$fuzzer" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 "$corpus"
