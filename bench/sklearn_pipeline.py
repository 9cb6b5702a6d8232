#!/usr/bin/env python3
"""The seed's CORD-19 pipeline in scikit-learn, the yardstick of ./bench-pipeline.sh.

Same input file and the same steps as the seed notebook: keep English abstracts (published from a date, when
asked), de-duplicate, tokenise, drop stop words (scikit-learn's English list, or the panel's with --stop-words),
stem; TF-IDF with max_features; PCA keeping 95% of the variance (on the dense matrix, as the seed did); k-means;
online LDA with a number of topics per cluster; t-SNE (perplexity 50) for the map. The quality figures use the definitions of Cord19.Core's QualityMetrics:
silhouette (cosine, 5,000-document sample, in the space k-means ran in), UMass coherence of each topic's top 10
words over the documents, and the share of 10 nearest neighbours (reduced space) kept on the map (1,000-document
sample). Prints one JSON object on stdout; progress goes to stderr.

Debian's python3-sklearn and python3-nltk (Snowball stemmer, no data files needed); nothing from PyPI.
"""
import argparse
import csv
import gzip
import hashlib
import json
import math
import random
import re
import resource
import sys
import time

import numpy as np
from nltk.stem.snowball import SnowballStemmer
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA, LatentDirichletAllocation
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfVectorizer
from sklearn.manifold import TSNE
from sklearn.metrics import silhouette_score

ENGLISH = {"the", "of", "and", "to", "in", "is", "was", "were", "are", "for", "with", "that", "by", "from",
           "this", "these", "which", "we", "be", "been", "has", "have", "an", "as", "on", "at", "or", "not", "their", "it"}
WORD = re.compile(r"[^\W\d_][\w'-]*", re.UNICODE)


def log(message):
    print(f"[sklearn] {message}", file=sys.stderr, flush=True)


def open_text(path):
    return gzip.open(path, "rt", encoding="utf-8", errors="replace", newline="") if path.endswith(".gz") \
        else open(path, encoding="utf-8", errors="replace", newline="")


def preprocess(path, published_from, stop_words):
    csv.field_size_limit(1 << 30)
    stemmer = SnowballStemmer("english")
    cache = {}
    seen_ids, seen_abstracts, docs = set(), set(), []
    with open_text(path) as f:
        for i, row in enumerate(csv.DictReader(f)):
            text = (row.get("abstract") or "").strip()
            if not text:
                continue
            if published_from:
                date = (row.get("publish_time") or "").strip()
                if len(date) < 4 or date[:10] < published_from:
                    continue
            words = text.lower().split()
            if len(words) < 5 or sum(w.strip(',.;:()"\'[]') in ENGLISH for w in words) < 0.08 * len(words):
                continue
            uid = row.get("cord_uid") or row.get("sha") or f"row-{i}"
            digest = hashlib.sha256(text.lower().encode()).digest()
            if uid in seen_ids or digest in seen_abstracts:
                continue
            seen_ids.add(uid)
            seen_abstracts.add(digest)
            tokens = []
            for word in WORD.findall(((row.get("title") or "") + ". " + text).lower()):
                if len(word) < 3 or word in stop_words:
                    continue
                stem = cache.get(word)
                if stem is None:
                    stem = cache[word] = stemmer.stem(word)
                if len(stem) >= 3 and stem not in stop_words:
                    tokens.append(stem)
            if len(tokens) >= 10:
                docs.append(tokens)
    return docs


def umass(topics, docs):
    postings = {}
    wanted = {w for t in topics for w in t}
    for d, tokens in enumerate(docs):
        for w in set(tokens) & wanted:
            postings.setdefault(w, set()).add(d)
    scores = []
    for words in topics:
        score = 0.0
        for i in range(1, len(words)):
            for j in range(i):
                wj = postings.get(words[j], set())
                if not wj:
                    continue
                score += math.log((len(postings.get(words[i], set()) & wj) + 1.0) / len(wj))
        scores.append(score / (len(words) * (len(words) - 1) / 2.0))
    return sum(scores) / len(scores) if scores else 0.0


def neighbour_preservation(reduced, mapped, k=10, sample=1000, seed=42):
    ids = np.arange(len(reduced))
    if len(ids) > sample:
        ids = np.sort(np.random.RandomState(seed).permutation(len(reduced))[:sample])
    high, low = reduced[ids], mapped[ids]
    kept = 0
    for a in range(len(ids)):
        dh = ((high - high[a]) ** 2).sum(1)
        dl = ((low - low[a]) ** 2).sum(1)
        dh[a] = dl[a] = np.inf
        kept += len(set(np.argsort(dh)[:k]) & set(np.argsort(dl)[:k]))
    return kept / (len(ids) * k)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("metadata")
    parser.add_argument("--features", type=int, default=1500)
    parser.add_argument("--k", type=int, default=6)
    parser.add_argument("--topics-per-cluster", type=int, default=5)
    parser.add_argument("--global-topics", type=int, default=0, help="above 0: one LDA over all documents (the large preset)")
    parser.add_argument("--published-from", default="")
    parser.add_argument("--tsne-max", type=int, default=30000, help="t-SNE above this many documents takes hours; skipped")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--stop-words", default="", help="a file of stop words, one a line (default: scikit-learn's English list); "
                        "bench-pipeline.sh passes the panel's, so both sides model the same words")
    args = parser.parse_args()

    stages, started = {}, time.perf_counter()

    def stage(name, since):
        stages[name] = round(time.perf_counter() - since, 3)
        log(f"{name}: {stages[name]:.1f} s")
        return time.perf_counter()

    t = time.perf_counter()
    stop_words = ENGLISH_STOP_WORDS
    if args.stop_words:
        with open(args.stop_words, encoding="utf-8") as f:
            stop_words = frozenset(f.read().split())
    docs = preprocess(args.metadata, args.published_from, stop_words)
    t = stage("preprocess", t)

    tfidf = TfidfVectorizer(analyzer=lambda d: d, max_features=args.features)
    x = tfidf.fit_transform(docs)
    t = stage("tfidf", t)

    pca = PCA(n_components=0.95, svd_solver="full", random_state=args.seed)
    reduced = pca.fit_transform(x.toarray())
    t = stage("reduce", t)

    labels = KMeans(n_clusters=args.k, random_state=args.seed, n_init=10).fit_predict(reduced)
    t = stage("cluster", t)

    topics = []
    groups = [docs] if args.global_topics > 0 else [[docs[i] for i in np.flatnonzero(labels == c)] for c in range(args.k)]
    for members in groups:
        if len(members) < 2:
            continue
        counter = CountVectorizer(analyzer=lambda d: d, max_features=args.features)
        counts = counter.fit_transform(members)
        lda = LatentDirichletAllocation(n_components=args.global_topics or args.topics_per_cluster, learning_method="online", random_state=args.seed)
        lda.fit(counts)
        terms = counter.get_feature_names_out()
        topics += [[terms[j] for j in np.argsort(-row)[:10]] for row in lda.components_]
    t = stage("topics", t)

    mapped = None
    if len(docs) <= args.tsne_max:
        mapped = TSNE(n_components=2, perplexity=50, random_state=args.seed, init="pca", learning_rate="auto").fit_transform(reduced)
        t = stage("map", t)
    else:
        log(f"map: skipped (t-SNE of {len(docs):,} documents; --tsne-max {args.tsne_max:,})")

    quality = {
        "silhouette": round(float(silhouette_score(reduced, labels, metric="cosine", sample_size=min(5000, len(docs)), random_state=args.seed)), 4),
        "coherence": round(umass(topics, docs), 4),
        "neighbourPreservation": None if mapped is None else round(neighbour_preservation(reduced, mapped, seed=args.seed), 4),
    }
    print(json.dumps({
        "seed": args.seed,
        "documents": len(docs),
        "stages": stages,
        "seconds": round(sum(stages.values()), 3),
        "wallSeconds": round(time.perf_counter() - started, 3),
        "peakMemoryMb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "pcaComponents": int(pca.n_components_),
        "quality": quality,
        "topics": topics,
    }))


if __name__ == "__main__":
    main()
