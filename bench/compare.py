#!/usr/bin/env python3
"""Prints our pipeline's figures beside scikit-learn's (./bench-pipeline.sh); the last line is the summary."""
import json
import sys

if len(sys.argv) == 2:
    # Ours alone (scikit-learn is not run on a million documents: its dense PCA alone would need 12 GB).
    ours = json.load(open(sys.argv[1]))
    for name, seconds in ours["stages"].items():
        print(f"{name:<22}{seconds:>12.2f}")
    q = ours["quality"]
    print(f"docs={ours['documents']} seconds={ours['seconds']:.1f} peak_memory_mb={ours['peakMemoryMb']:.0f} "
          f"silhouette={q['silhouette']} coherence={q['coherence']} knn={q.get('neighbourPreservation')}")
    sys.exit(0)

ours, theirs = (json.load(open(path)) for path in sys.argv[1:3])
o, t = ours["stages"], theirs["stages"]
# Our "cluster" step is PCA + k-means; scikit-learn's script times them apart.
rows = [
    ("pre-processing", o.get("preprocess"), t.get("preprocess")),
    ("TF-IDF", o.get("tfidf"), t.get("tfidf")),
    ("reduction + k-means", o.get("cluster"), (t.get("reduce") or 0) + (t.get("cluster") or 0)),
    ("LDA", o.get("topics"), t.get("topics")),
    ("map", o.get("map"), t.get("map")),
]
print(f"{'stage':<22}{'ours (s)':>12}{'scikit-learn (s)':>18}{'speedup':>10}")
for name, a, b in rows:
    speed = f"{b / a:.1f}x" if a and b else "-"
    print(f"{name:<22}{'-' if a is None else f'{a:.2f}':>12}{'skipped' if b is None else f'{b:.2f}':>18}{speed:>10}")
# The same stages on both sides: a stage the script skipped (t-SNE above --tsne-max) is left out of ours too.
same = [(a, b) for _, a, b in rows if a is not None and b is not None]
ours_total, theirs_total = sum(a for a, _ in same), sum(b for _, b in same)
n = ours["documents"]
print(f"{'total, same stages':<22}{ours_total:>12.1f}{theirs_total:>18.1f}{theirs_total / ours_total:>9.1f}x")
print(f"documents: ours {n:,}, scikit-learn {theirs['documents']:,}; documents per second: ours {n / ours_total:,.0f}, scikit-learn {theirs['documents'] / theirs_total:,.0f}")
print(f"peak memory: ours {ours['peakMemoryMb']:,.0f} MB, scikit-learn {theirs['peakMemoryMb']:,.0f} MB; map: ours {ours['mapMethod']}, "
      f"scikit-learn {'t-SNE' if t.get('map') else 'skipped'}; scikit-learn's PCA kept {theirs['pcaComponents']} components (95% of the variance)")
qo, qt = ours["quality"], theirs["quality"]
for key, label in (("silhouette", "silhouette (cosine, 5k sample)"), ("coherence", "coherence (UMass, top 10)"), ("neighbourPreservation", "map keeps of 10-NN")):
    print(f"{label:<34} ours {qo.get(key)}  scikit-learn {qt.get(key)}")
# The 10-NN figure is absent where a side drew no map (scikit-learn skips t-SNE above --tsne-max): written "-".
knn = "/".join("-" if q.get("neighbourPreservation") is None else str(q["neighbourPreservation"]) for q in (qo, qt))
print(f"speedup_vs_sklearn={theirs_total / ours_total:.1f} docs={n} silhouette={qo['silhouette']}/{qt['silhouette']} "
      f"coherence={qo['coherence']}/{qt['coherence']} knn={knn}")
