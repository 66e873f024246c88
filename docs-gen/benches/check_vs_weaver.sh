#!/usr/bin/env bash
# `docs-gen check` beside OpenTelemetry Weaver's `weaver registry check` on the same metrics, in
# one run: instructions (callgrind, all threads) and wall time (median of RUNS, interleaved).
#
#   docs-gen/benches/check_vs_weaver.sh WEAVER_BINARY [RUNS]
#
# Builds docs-gen (release), writes the 440-metric synthetic catalog and both Weaver registries
# under $TMPDIR (docs-gen/benches/weaver_registry.py), then measures 44 metrics (metrics.yaml) and
# 440. Needs valgrind and python3 with PyYAML. See docs/BENCHMARKS.md for how Weaver was built.
set -euo pipefail
weaver=${1:?usage: check_vs_weaver.sh WEAVER_BINARY [RUNS]}
runs=${2:-40}
cd "$(dirname "$0")/../.."
tmp=${TMPDIR:-/tmp}/check_vs_weaver
mkdir -p "$tmp/ref440"
cargo build -q --release -p docs-gen
cargo run -q --release -p docs-gen --example synthetic_catalog -- 440 >"$tmp/synth440.yaml"
python3 docs-gen/benches/weaver_registry.py metrics.yaml "$tmp/weaver44" >/dev/null
python3 docs-gen/benches/weaver_registry.py "$tmp/synth440.yaml" "$tmp/weaver440" >/dev/null
dg=target/release/docs-gen
"$dg" --catalog "$tmp/synth440.yaml" --out "$tmp/ref440" >/dev/null
declare -A cmd=(
  [docs-gen-44]="$dg check"
  [weaver-44]="$weaver registry check -r $tmp/weaver44 --quiet"
  [docs-gen-440]="$dg check --catalog $tmp/synth440.yaml --out $tmp/ref440"
  [weaver-440]="$weaver registry check -r $tmp/weaver440 --quiet"
)
order=(docs-gen-44 weaver-44 docs-gen-440 weaver-440)
for k in "${order[@]}"; do
  ${cmd[$k]} >/dev/null # each passes its check, or the script stops here
  ir=$(valgrind --tool=callgrind --callgrind-out-file="$tmp/callgrind.$k" ${cmd[$k]} 2>&1 >/dev/null |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
  echo "$k: $ir instructions"
done
python3 - "$runs" "${order[@]}" <<PY
import shlex, statistics, subprocess, sys, time
runs, names = int(sys.argv[1]), sys.argv[2:]
cmds = {$(for k in "${order[@]}"; do printf '"%s": shlex.split("%s"), ' "$k" "${cmd[$k]}"; done)}
times = {n: [] for n in names}
for _ in range(runs):
    for n in names:
        t = time.perf_counter()
        subprocess.run(cmds[n], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times[n].append((time.perf_counter() - t) * 1e3)
for n in names:
    print(f"{n}: median {statistics.median(times[n]):.1f} ms, min {min(times[n]):.1f} ms over {runs} runs")
PY
