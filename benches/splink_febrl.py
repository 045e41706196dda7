#!/usr/bin/env python3
"""Splink 5 (DuckDB) on a FEBRL dataset in dedup mode, trained as its tutorials train it, for
benches/febrl.py to set beside affil. Run by febrl.py with the Python of target/febrl/venv:

    target/febrl/venv/bin/python benches/splink_febrl.py DATASET.csv PAIRS_OUT.csv

DATASET.csv is the FEBRL file as shipped (rec_id, given_name, surname, street_number,
address_1, address_2, suburb, postcode, state, date_of_birth, soc_sec_id); soc_sec_id is
dropped as for affil. Splink gets the name, date and address as separate columns (what its
comparisons expect); affil gets the same values in the person schema's full_name, birth_date
and address. Writes every pair within each cluster at probability 0.8 (as affil's pairs file
lists them) and prints `pairwise_pairs clustered_pairs seconds` on stdout.
"""

import logging
import sys
import time

import pandas as pd
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

source, out = sys.argv[1], sys.argv[2]
df = pd.read_csv(source, dtype=str, skipinitialspace=True).fillna("")
df.columns = [c.strip() for c in df.columns]
df = df.drop(columns=["soc_sec_id"])
for c in df.columns:
    df[c] = df[c].str.strip().replace("", None)
df["date_of_birth"] = pd.to_datetime(df["date_of_birth"], format="%Y%m%d", errors="coerce") \
    .dt.strftime("%Y-%m-%d")

start = time.time()
db_api = DuckDBAPI()
table = db_api.register(df, dataset_display_name="febrl")
settings = SettingsCreator(
    link_type="dedupe_only",
    unique_id_column_name="rec_id",
    comparisons=[
        cl.NameComparison("given_name"),
        cl.NameComparison("surname"),
        cl.DateOfBirthComparison("date_of_birth", input_is_string=True),
        cl.ExactMatch("street_number"),
        cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
        cl.JaroWinklerAtThresholds("suburb", [0.9, 0.7]),
        cl.ExactMatch("postcode"),
    ],
    blocking_rules_to_generate_predictions=[
        block_on("given_name"),
        block_on("surname"),
        block_on("date_of_birth"),
        block_on("postcode"),
    ],
    retain_intermediate_calculation_columns=False,
)
linker = Linker(table, settings, log_level=logging.WARNING)
linker.training.estimate_probability_two_random_records_match(
    [block_on("given_name", "surname", "date_of_birth")], recall=0.7
)
linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
linker.training.estimate_parameters_using_expectation_maximisation(
    block_on("given_name", "surname")
)
pairwise = linker.inference.predict(threshold_match_probability=0.8)
clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
    pairwise, threshold_match_probability=0.8
).as_pandas_dataframe()
took = time.time() - start

n_pairwise = len(pairwise.as_pandas_dataframe())
rows = []
for _, group in clusters.groupby("cluster_id"):
    ids = sorted(group["rec_id"])
    rows += [(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]]
pd.DataFrame(rows, columns=["left_id", "right_id"]).to_csv(out, index=False)
print(n_pairwise, len(rows), f"{took:.2f}")
