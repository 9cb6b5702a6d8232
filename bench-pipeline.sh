#!/usr/bin/env bash
# The pipeline benchmark (see README, Benchmarks; docs/benchmarks.md has the record): our pipeline and the seed's in scikit-learn on the same corpus,
# per-stage wall time, peak memory, documents per second and quality; the last line sums it up.
#   ./bench-pipeline.sh [real | synth-100k | synth-1m | synth-<n> | <metadata.csv[.gz]>] [seed | large] [<seed>,<seed>…]
# real: the real CORD-19 files in $CORD19_SHARED_DATA (default ../shared/data/cord19) merged, about 15k abstracts;
# synth-<n>: <n> synthetic documents made from them (cord19-pipeline synth; built once, kept in .bench/).
# More seeds (third argument) run both sides again at each, for the quality figures alone: one run's coherence moves
# with the seed (k-means' starts, LDA's draws) by more than the two sides differ, so a mean over seeds compares them.
set -euo pipefail
cd "$(dirname "$0")"
corpus="${1:-real}"
preset="${2:-seed}"
more_seeds="${3:-}"
[[ "$more_seeds" =~ ^([0-9]+(,[0-9]+)*)?$ ]] || { echo "Seeds are '$more_seeds': give whole numbers separated by commas, such as 7,99."; exit 2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian's python (a pyenv or venv python first on the PATH would not see Debian's packages).
py=/usr/bin/python3
[ -x "$py" ] || py=python3
# OpenBLAS: without it numpy falls back to the reference BLAS, and scikit-learn's PCA is several times slower
# than it would be anywhere it is set up with care; the yardstick should be a fair one.
{ "$py" -c "import sklearn, nltk" 2>/dev/null && compgen -G "/usr/lib/x86_64-linux-gnu/openblas*" >/dev/null; } || {
  echo "Installing Debian's python3-sklearn, python3-nltk and OpenBLAS (the scikit-learn side of the benchmark)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends python3-sklearn python3-nltk libopenblas0-pthread >/dev/null
}
mkdir -p .bench
# No compiler servers left running: they would share the cores with the timed runs.
dotnet build Cord19.Pipeline -c Release -o .bench/bin -v quiet -nologo --disable-build-servers >/dev/null
pipeline=.bench/bin/cord19-pipeline

real=.bench/real.csv.gz
if [[ "$corpus" == real || "$corpus" == synth-* ]] && [ ! -f "$real" ]; then
  shared="${CORD19_SHARED_DATA:-../shared/data/cord19}"
  [ -d "$shared" ] || { echo "No real CORD-19 files in $shared: set CORD19_SHARED_DATA to a folder of metadata CSVs."; exit 1; }
  sources=()
  for f in "$shared"/*.csv "$shared"/*.csv.gz; do [ -f "$f" ] && sources+=(--source "$f"); done
  "$pipeline" corpus "${sources[@]}" --out "$real"
fi
case "$corpus" in
  real) file="$real" ;;
  synth-*)
    n="${corpus#synth-}"; n="${n/k/000}"; n="${n/m/000000}"
    file=".bench/synth-$n.csv.gz"
    [ -f "$file" ] || "$pipeline" synth --source "$real" --documents "$n" --out "$file"
    ;;
  *) file="$corpus" ;;
esac

case "$preset" in
  seed) sk_args=(--k 6 --topics-per-cluster 5 --features 1500) ;;
  large) sk_args=(--k 20 --global-topics 20 --features 4096) ;;
  *) echo "Preset '$preset' is not known: use seed or large."; exit 2 ;;
esac

echo "== ours: cord19-pipeline bench --metadata $file --preset $preset"
"$pipeline" bench --metadata "$file" --preset "$preset" --out .bench/ours >/dev/null 2>.bench/ours.log || { cat .bench/ours.log; exit 1; }
grep -v "^\s*$" .bench/ours.log | sed 's/^/  /'
if [ "$file" = ".bench/synth-1000000.csv.gz" ]; then
  echo "== figures (ours alone: scikit-learn's dense PCA on a million documents would need about 12 GB)"
  "$py" bench/compare.py .bench/ours/figures.json
  [ -z "$more_seeds" ] || echo "(seeds $more_seeds not run: more seeds compare quality with scikit-learn, which is not run here)"
  exit 0
fi
"$pipeline" stop-words > .bench/stop-words.txt
echo "== scikit-learn: bench/sklearn_pipeline.py --stop-words .bench/stop-words.txt (the words our pre-processing drops)"
"$py" bench/sklearn_pipeline.py "$file" "${sk_args[@]}" --stop-words .bench/stop-words.txt > .bench/sklearn.json 2>.bench/sklearn.log || { cat .bench/sklearn.log; exit 1; }
grep "^\[sklearn\]" .bench/sklearn.log | sed 's/^/  /'
echo "== figures"
"$py" bench/compare.py .bench/ours/figures.json .bench/sklearn.json
[ -n "$more_seeds" ] || exit 0

pairs=(.bench/ours/figures.json .bench/sklearn.json)
for s in ${more_seeds//,/ }; do
  echo "== seed $s, quality only: cord19-pipeline bench --seed $s, sklearn_pipeline.py --seed $s"
  "$pipeline" bench --metadata "$file" --preset "$preset" --seed "$s" --out ".bench/ours-seed-$s" >/dev/null 2>".bench/ours-seed-$s.log" || { cat ".bench/ours-seed-$s.log"; exit 1; }
  "$py" bench/sklearn_pipeline.py "$file" "${sk_args[@]}" --stop-words .bench/stop-words.txt --seed "$s" > ".bench/sklearn-seed-$s.json" 2>".bench/sklearn-seed-$s.log" || { cat ".bench/sklearn-seed-$s.log"; exit 1; }
  pairs+=(".bench/ours-seed-$s/figures.json" ".bench/sklearn-seed-$s.json")
done
echo "== quality over seeds"
"$py" bench/seeds.py "${pairs[@]}"
