#!/usr/bin/env python3
"""Writes a large synthetic input for `affil import`, from the structures of the import
fixtures (tests/fixtures/import, made by its make.py): N ЕИС protocols (fcsProtocolEF3, one
per purchase, numbers and INNs varied) in ZIP archives of 10,000, and an ЕГРЮЛ file of M
companies in Windows-1251 (the fixture's companies repeated under new valid INNs).

    python3 benches/import_data.py OUT_DIR PROTOCOLS COMPANIES
"""

import os
import re
import sys
import zipfile

FIX = "tests/fixtures/import"


def inn10(body):
    d = [int(c) for c in f"{body:09d}"]
    w = [2, 4, 10, 3, 5, 9, 4, 6, 8]
    return "".join(map(str, d)) + str(sum(a * b for a, b in zip(d, w)) % 11 % 10)


def main():
    out, n_protocols, n_companies = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    os.makedirs(os.path.join(out, "eis"), exist_ok=True)
    ef3 = open(os.path.join(FIX, "eis/fcs/fcsProtocolEF3_0356300000121000011_20000004.xml"),
               encoding="utf-8").read()
    for start in range(0, n_protocols, 10000):
        path = os.path.join(out, "eis", f"protocols_{start // 10000:03d}.zip")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for k in range(start, min(start + 10000, n_protocols)):
                number = f"03563000001{k:08d}"
                doc = ef3.replace("0356300000121000011", number)
                doc = doc.replace("5916001001", inn10(700000000 + k))
                z.writestr(f"fcsProtocolEF3_{number}_{k}.xml", doc)
    text = open(os.path.join(FIX, "egrul/VO_RUGFO_0000_9965_20240115_synthetic.xml"),
                encoding="cp1251").read()
    head, rest = text.split("<Документ ", 1)
    docs = ["<Документ " + d for d in rest.split("<Документ ")]
    docs[-1] = docs[-1].replace("</Файл>\n", "")
    with open(os.path.join(out, "egrul.xml"), "w", encoding="cp1251") as f:
        f.write(head)
        for k in range(n_companies):
            d = docs[k % len(docs)]
            inn = re.search(r' ИНН="(\d{10})"', d).group(1)
            f.write(d.replace(inn, inn10(800000000 + k)))
        f.write("</Файл>\n")


main()
