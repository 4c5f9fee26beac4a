#!/usr/bin/env bash
# Measures the token estimate against OpenAI's real tokenizers on the labelled prompts.
#   bench/token-accuracy.sh [LABELS.jsonl]   (needs a built tree in build/ and npm)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
labels=${1:-$root/../shared/data/routing-labels/train.jsonl}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$root/bench/tokenizer/package.json" "$root/bench/tokenizer/count-tokens.mjs" "$work/"
(cd "$work" && npm install --silent --no-audit --no-fund >/dev/null)
node "$work/count-tokens.mjs" "$labels" > "$work/counts.jsonl"
"$root/build/bench/token_estimate_accuracy" "$work/counts.jsonl"
