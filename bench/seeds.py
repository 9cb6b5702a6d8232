#!/usr/bin/env python3
"""The quality figures of both sides at each seed, and their means (./bench-pipeline.sh with more seeds).

Arguments: pairs of figure files, ours then scikit-learn's, one pair a seed; the first pair is the headline run.
The last line sums it up: the means over the seeds and how many seeds each side's coherence was the higher at.
"""
import json
import sys
from statistics import mean, stdev

paths = sys.argv[1:]
if len(paths) < 2 or len(paths) % 2:
    sys.exit("Give pairs of figure files: ours, then scikit-learn's, one pair for each seed.")
runs = []
for ours_path, theirs_path in zip(paths[::2], paths[1::2]):
    ours, theirs = (json.load(open(path)) for path in (ours_path, theirs_path))
    seed, their_seed = ours["parameters"]["seed"], theirs.get("seed")
    if their_seed != seed:
        sys.exit(f"{ours_path} is seed {seed} but {theirs_path} is seed {their_seed}: pair the runs of one seed.")
    runs.append((seed, ours["quality"], theirs["quality"]))

for seed, o, t in runs:
    print(f"seed {seed}: silhouette ours {o['silhouette']}, scikit-learn {t['silhouette']}; "
          f"coherence ours {o['coherence']}, scikit-learn {t['coherence']}")


def average(side, key):
    return round(mean(run[side][key] for run in runs), 4)


# Paired by seed: each seed gives both sides the same corpus, and the spread of the differences says how far the
# mean difference stands out of one run's draw.
differences = [o["coherence"] - t["coherence"] for _, o, t in runs]
if len(differences) > 1:
    print(f"coherence ours minus scikit-learn's: mean {mean(differences):+.4f}, standard deviation {stdev(differences):.4f} "
          f"over {len(differences)} seeds")
ours_higher = sum(o["coherence"] > t["coherence"] for _, o, t in runs)
print(f"seeds={','.join(str(run[0]) for run in runs)} silhouette_mean={average(1, 'silhouette')}/{average(2, 'silhouette')} "
      f"coherence_mean={average(1, 'coherence')}/{average(2, 'coherence')} ours_more_coherent={ours_higher}/{len(runs)}")
