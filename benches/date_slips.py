#!/usr/bin/env python3
"""The check on registry birth dates with clerical slips, which `affil generate` never writes.

Copies a generated regional dataset, gives a share of the registry's full birth dates
(company_roles.csv, person_birth_date) a slip: day and month swapped (where the day is 12 or
less), or one digit of the day, month or year changed to another valid date; then runs
`affil check` and `affil eval` on the copy and prints the check's note on slips and the
COI-44FZ line. The slips are drawn with a fixed seed, so a run repeats.

Run from the repository root after `cargo build --release`:

    python3 benches/date_slips.py [--data target/scale/regional-11] [--seed 11] [--rate 0.03]

The data directory is generated (`affil generate --scale regional --seed SEED`) when missing.
"""

import argparse
import datetime
import os
import random
import shutil
import subprocess
import sys

BIN = os.path.join("target", "release", "affil")


def valid(day, month, year):
    try:
        datetime.date(year, month, day)
        return True
    except ValueError:
        return False


def slip_dates(src, dst, rate, seed):
    """Copies the inputs of `src` to `dst` with slips in company_roles.csv; returns counts."""
    os.makedirs(dst, exist_ok=True)
    for name in os.listdir(src):
        if name.endswith(".csv"):
            shutil.copy(os.path.join(src, name), dst)
    raw = open(os.path.join(src, "company_roles.csv"), "rb").read()
    try:
        text, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = raw.decode("cp1251"), "cp1251"
    lines = text.split("\n")
    sep = ";" if ";" in lines[0] else ","
    col = lines[0].split(sep).index("person_birth_date")
    rng = random.Random(seed)
    swapped = digit = 0
    out = [lines[0]]
    for line in lines[1:]:
        f = line.split(sep)
        cell = f[col] if len(f) > col else ""
        if len(cell) == 10 and cell[2] == "." and cell[5] == ".":
            d, m, y = int(cell[:2]), int(cell[3:5]), int(cell[6:])
            r = rng.random()
            if r < rate and d <= 12 and d != m:
                f[col] = f"{m:02}.{d:02}.{y}"
                swapped += 1
            elif r < 2 * rate:
                for _ in range(20):
                    i = rng.choice([0, 1, 3, 4, 8, 9])
                    c = str(rng.randrange(10))
                    if c == cell[i]:
                        continue
                    t = cell[:i] + c + cell[i + 1 :]
                    if valid(int(t[:2]), int(t[3:5]), int(t[6:])):
                        f[col] = t
                        digit += 1
                        break
        out.append(sep.join(f))
    with open(os.path.join(dst, "company_roles.csv"), "w", encoding=encoding) as w:
        w.write("\n".join(out))
    return swapped, digit, len(lines) - 1


def check(data, truth, decoys):
    out = os.path.join(data, "out")
    run = subprocess.run(
        [BIN, "check", data, "--out", out], capture_output=True, text=True, check=True
    )
    note = next((l for l in run.stderr.splitlines() if l.startswith("weights:")), "")
    slips = note[note.find("birth-date slips") :] if "birth-date slips" in note else note
    ev = subprocess.run(
        [BIN, "eval", os.path.join(out, "cases.csv"), truth, "--decoys", decoys],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = [l for l in ev.splitlines() if l.startswith("COI-44FZ") or "flagged decoys" in l]
    return slips, lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.path.join("target", "scale", "regional-11"))
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--rate", type=float, default=0.03)
    args = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit(f"{BIN} is missing: run `cargo build --release` first")
    if not os.path.isdir(args.data):
        subprocess.run(
            [BIN, "generate", "--out", args.data, "--scale", "regional", "--seed", str(args.seed)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    slipped = args.data.rstrip("/") + "-slips"
    swapped, digit, rows = slip_dates(args.data, slipped, args.rate, 20261206)
    print(f"{slipped}: {swapped} dates swapped, {digit} a digit off, of {rows} rows")
    truth = os.path.join(args.data, "truth.csv")
    decoys = os.path.join(args.data, "decoys.csv")
    for name, data in [("as generated", args.data), ("with slips", slipped)]:
        slips, lines = check(data, truth, decoys)
        print(f"{name}: {slips}")
        for l in lines:
            print("   ", l)


if __name__ == "__main__":
    main()
