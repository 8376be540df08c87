#!/usr/bin/env python3
"""Writes the seed corpus of the `report` target: one file per case of
tests/data/reports/tuning/*.toml (never held-out/), as the 7-byte header of
fuzz_targets/common/mod.rs (the case's period, and its `sent` day as today) then the text.

Run from fuzz/:  python3 seed_corpus.py
"""
import pathlib
import struct
import tomllib

HERE = pathlib.Path(__file__).resolve().parent
TUNING = HERE.parent / "tests" / "data" / "reports" / "tuning"
OUT = HERE / "corpus" / "report"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("seed-*"):
        old.unlink()
    count = 0
    for path in sorted(TUNING.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for case in data["case"]:
            py, pm = (int(x) for x in case["period"].split("-"))
            ty, tm, td = (int(x) for x in case["sent"].split("/"))
            header = struct.pack("<HBHBB", py - 1200, pm - 1, ty - 1200, tm - 1, td - 1)
            (OUT / f"seed-{case['id']}").write_bytes(header + case["text"].encode("utf-8"))
            count += 1
    print(f"{count} seeds written to {OUT}")


if __name__ == "__main__":
    main()
