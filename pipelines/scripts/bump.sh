#!/bin/sh
# Read-modify-write of a counter file, slow on purpose: two copies running at once on the
# same file lose an update. Under `locks: ["file:…"]` weft never runs them at once.
set -eu
file="$1"
n=$(cat "$file" 2>/dev/null || echo 0)
sleep 0.05
echo $((n + 1)) > "$file"
