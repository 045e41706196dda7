#!/usr/bin/env python3
"""affil against Splink on the same linkage task, timed and scored side by side.

The task: link the regional officials and relatives (link_left.csv) to the people of the
company registry (link_right.csv), as `affil generate --scale regional` writes them, and score
both results against link_truth.csv with one scorer.

Setup (once; Splink with its DuckDB backend, the versions this was measured with):

    pip install splink==5.0.0 duckdb==1.5.6 pandas==3.1.1
    cargo build --release

Run from the repository root:

    python3 benches/splink_compare.py [--data target/scale/regional-7] [--seed 7]

The data directory is generated with the release binary when it is missing.

Both tools get the same fields: the full name, the birth date (as written: `DD.MM.YYYY`,
`YYYY-MM-DD` or a bare year) and the INN. affil takes them as they are. For Splink the script
does the standardisation a Splink user would write: lower case, ё -> е, punctuation dropped, the
name split into surname / given name / patronymic (word order told by the patronymic ending,
initials kept as one-letter names), dates parsed to ISO with the year kept apart. Splink's
model is the usual one from its tutorials: NameComparison on the three name parts,
DateOfBirthComparison, ExactMatch on the INN, the random-match probability from deterministic
rules, u from random sampling, m by expectation maximisation on two blocking rules, and
predictions at the same threshold affil uses (match probability 0.8). Splink's time covers
everything from reading the CSV files to the scored pairs, as affil's does.
"""

import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile
import time

THRESHOLD = 0.8


def read_pairs(path, left="left_id", right="right_id"):
    with open(path, newline="", encoding="utf-8") as f:
        return {(r[left], r[right]) for r in csv.DictReader(f)}


def score(pred, truth):
    tp = len(pred & truth)
    p = tp / len(pred) if pred else 0.0
    r = tp / len(truth) if truth else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f1


def run_affil(binary, data, out):
    start = time.perf_counter()
    subprocess.run(
        [binary, "link", f"{data}/link_left.csv", f"{data}/link_right.csv", "--out", out],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


PATRONYMIC = re.compile(r"(ович|евич|ич|овна|евна|ична|инична|оглы|кызы)$")


def split_name(full):
    words = re.sub(r"[^\w\s]", " ", (full or "").lower().replace("ё", "е")).split()
    if len(words) >= 3:
        if PATRONYMIC.search(words[-1]):
            return " ".join(words[:-2]), words[-2], words[-1]
        if PATRONYMIC.search(words[1]):
            return " ".join(words[2:]), words[0], words[1]
        return words[0], words[1], words[2]
    if len(words) == 2:
        return words[0], words[1], None
    if len(words) == 1:
        return words[0], None, None
    return None, None, None


def parse_date(raw):
    raw = (raw or "").strip()
    m = re.fullmatch(r"(\d{2})\.(\d{2})\.(\d{4})", raw)
    if m:
        return f"{m[3]}-{m[2]}-{m[1]}", m[3]
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", raw)
    if m:
        return raw, m[1]
    if re.fullmatch(r"\d{4}", raw):
        return None, raw
    return None, None


def standardised(path):
    import pandas as pd

    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    parts = df["full_name"].map(split_name)
    dates = df["birth_date"].map(parse_date)
    return pd.DataFrame(
        {
            "unique_id": df["id"],
            "surname": [p[0] for p in parts],
            "given": [p[1] for p in parts],
            "patronymic": [p[2] for p in parts],
            "birth_date": [d[0] for d in dates],
            "birth_year": [d[1] for d in dates],
            "inn": df["inn"].where(df["inn"] != "", None),
        }
    )


def run_splink(data, out):
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    start = time.perf_counter()
    left = standardised(f"{data}/link_left.csv")
    right = standardised(f"{data}/link_right.csv")
    db = DuckDBAPI()
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.NameComparison("surname"),
            cl.NameComparison("given"),
            cl.NameComparison("patronymic"),
            cl.DateOfBirthComparison(
                "birth_date", input_is_string=True, datetime_format="%Y-%m-%d"
            ),
            cl.ExactMatch("inn"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("surname", "given"),
            block_on("surname", "patronymic"),
            block_on("given", "patronymic", "birth_year"),
            block_on("inn"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    linker = Linker(
        [
            db.register(left, dataset_display_name="officials_relatives"),
            db.register(right, dataset_display_name="registry_people"),
        ],
        settings,
        log_level=None,
    )
    linker.training.estimate_probability_two_random_records_match(
        [block_on("inn"), block_on("surname", "given", "patronymic", "birth_date")],
        recall=0.6,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("surname", "given")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("birth_date")
    )
    pred = linker.inference.predict(threshold_match_probability=THRESHOLD).as_pandas_dataframe()
    elapsed = time.perf_counter() - start
    # Splink orders each pair by source dataset: left first.
    left_ids = set(left["unique_id"])
    pairs = set()
    for a, b in zip(pred["unique_id_l"], pred["unique_id_r"]):
        pairs.add((a, b) if a in left_ids else (b, a))
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["left_id", "right_id"])
        w.writerows(sorted(pairs))
    return elapsed, pairs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="target/scale/regional-7")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--binary", default="target/release/affil")
    args = ap.parse_args()
    if not os.path.exists(args.binary):
        sys.exit(f"{args.binary} not found: run `cargo build --release` first")
    if not os.path.exists(f"{args.data}/link_truth.csv"):
        subprocess.run(
            [args.binary, "generate", "--out", args.data, "--scale", "regional",
             "--seed", str(args.seed)],
            check=True,
            stderr=subprocess.DEVNULL,
        )
    truth = read_pairs(f"{args.data}/link_truth.csv")
    with tempfile.TemporaryDirectory() as tmp:
        affil_out = f"{tmp}/affil.csv"
        affil_time = run_affil(args.binary, args.data, affil_out)
        affil_pairs = read_pairs(affil_out)
        splink_time, splink_pairs = run_splink(args.data, f"{tmp}/splink.csv")
    rows = [
        ("affil link", affil_time, affil_pairs),
        ("Splink 5 (DuckDB)", splink_time, splink_pairs),
    ]
    print(f"task: {args.data}/link_left.csv x link_right.csv, {len(truth)} true pairs")
    print("| tool | wall, s | pairs | precision | recall | F1 |")
    print("|---|---|---|---|---|---|")
    for name, t, pairs in rows:
        p, r, f1 = score(pairs, truth)
        print(f"| {name} | {t:.1f} | {len(pairs)} | {p:.4f} | {r:.4f} | {f1:.4f} |")
    print(f"affil is {splink_time / affil_time:.1f}x faster")


if __name__ == "__main__":
    main()
