#!/usr/bin/env python3
"""Build corpus.jsonl from corpus.source.txt (plain Python 3, no dependencies).

Source format: one text per line, `<field>|<text>`, field one of subject, description,
observation, address. Personal data is marked inline as [[KIND:value]]. Lines that are empty or
start with `#` are ignored. Ids are given in order: c0001, c0002, ...

Each span's start/end are UTF-16 code-unit offsets into the stripped text (JavaScript string
indices), end exclusive. The script checks that every span's text equals its value and that no
markup is left, then writes corpus.jsonl and prints the counts (`--stats` prints them only).

A folder given as argument (`build-corpus.py ../pii-corpus-validation`) is converted instead of
this script's own: the same format, the same checks, for every corpus of the repository.
"""
import json
import re
import sys
from collections import Counter
from pathlib import Path

FOLDERS = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
HERE = Path(FOLDERS[0]).resolve() if FOLDERS else Path(__file__).resolve().parent
SOURCE = HERE / "corpus.source.txt"
OUTPUT = HERE / "corpus.jsonl"

FIELDS = {"subject", "description", "observation", "address"}
KINDS = {
    "NAME", "ADDRESS", "BIRTH_DATE", "AGE", "EMAIL", "PHONE", "HANDLE", "PLATE",
    "ID_NUMBER", "NIR", "IBAN", "URL_PERSONAL",
}
MARK = re.compile(r"\[\[([A-Z_]+):(.*?)\]\]")


def utf16_len(s):
    return len(s.encode("utf-16-le")) // 2


def utf16_slice(s, start, end):
    return s.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le")


def parse_line(line, lineno):
    field, sep, body = line.partition("|")
    if not sep or field not in FIELDS:
        raise SystemExit(f"line {lineno}: expected '<field>|<text>', field in {sorted(FIELDS)}")
    text, spans, pos = "", [], 0
    for m in MARK.finditer(body):
        kind, value = m.group(1), m.group(2)
        if kind not in KINDS:
            raise SystemExit(f"line {lineno}: unknown kind {kind}")
        if not value or value != value.strip():
            raise SystemExit(f"line {lineno}: empty or padded value {value!r}")
        text += body[pos : m.start()]
        start = utf16_len(text)
        text += value
        spans.append({"start": start, "end": utf16_len(text), "kind": kind, "value": value})
        pos = m.end()
    text += body[pos:]
    if "[[" in text or "]]" in text:
        raise SystemExit(f"line {lineno}: markup left in {text!r}")
    if not text.strip():
        raise SystemExit(f"line {lineno}: empty text")
    for s in spans:
        if utf16_slice(text, s["start"], s["end"]) != s["value"]:
            raise SystemExit(f"line {lineno}: span {s} does not match the text")
    return field, text, spans


def build():
    records = []
    for lineno, raw in enumerate(SOURCE.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.rstrip()
        if not line or line.startswith("#"):
            continue
        field, text, spans = parse_line(line, lineno)
        records.append(
            {"id": f"c{len(records) + 1:04d}", "field": field, "text": text, "spans": spans}
        )
    texts = Counter(r["text"] for r in records)
    dupes = [t for t, n in texts.items() if n > 1]
    if dupes:
        raise SystemExit(f"duplicate texts: {dupes[:5]}")
    return records


def stats(records):
    with_pd = [r for r in records if r["spans"]]
    fields = Counter(r["field"] for r in records)
    fields_pd = Counter(r["field"] for r in with_pd)
    kinds = Counter(s["kind"] for r in records for s in r["spans"])
    kinds_texts = Counter(k for r in records for k in {s["kind"] for s in r["spans"]})
    multi = sum(1 for r in with_pd if len({s["kind"] for s in r["spans"]}) > 1)
    out = [
        f"texts: {len(records)} (with personal data: {len(with_pd)}, without: "
        f"{len(records) - len(with_pd)}; with several kinds: {multi})",
        f"spans: {sum(kinds.values())}",
        "",
        "| field | texts | with personal data | without |",
        "| --- | ---: | ---: | ---: |",
    ]
    for f in ["subject", "description", "observation", "address"]:
        out.append(f"| {f} | {fields[f]} | {fields_pd[f]} | {fields[f] - fields_pd[f]} |")
    out += ["", "| kind | spans | texts |", "| --- | ---: | ---: |"]
    for k in sorted(KINDS, key=lambda k: (-kinds[k], k)):
        out.append(f"| {k} | {kinds[k]} | {kinds_texts[k]} |")
    return "\n".join(out)


def main():
    records = build()
    if "--stats" not in sys.argv:
        with OUTPUT.open("w", encoding="utf-8", newline="\n") as f:
            for r in records:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(stats(records))


if __name__ == "__main__":
    main()
