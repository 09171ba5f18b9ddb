"""Regenerate the malformed survey files of this folder and expected.csv.

Each file breaks one rule of collabcomm.instrument.read_survey; expected.csv gives the
fragment its error message must contain and any options the test passes. Run from the
repository root:   python tests/data/bad_surveys/make_corpus.py
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCALES = ("traditional", "bureaucratic", "collaborative", "fragmented")
FACETS = ("policies", "disagreements", "recruitment", "administrators", "union")
ITEMS = [f"{s}_{f}" for s in SCALES for f in FACETS]
HEADER = ["teacher_id", "school_id", *ITEMS]


def rows(n=6):
    return [[f"T{i + 1}", "A" if i < 3 else "B", *[str((i + k) % 5 + 1) for k in range(20)]]
            for i in range(n)]


def to_csv(header, body, delim=","):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delim, lineterminator="\n")
    w.writerow(header)
    w.writerows(body)
    return buf.getvalue()


def with_cell(col, value, row=1):
    body = rows()
    body[row][HEADER.index(col)] = value
    return to_csv(HEADER, body)


CASES: list[tuple[str, bytes | str, str, dict]] = [
    ("missing_item_column.csv",
     to_csv([h for h in HEADER if h != "collaborative_union"],
            [[c for h, c in zip(HEADER, r, strict=True) if h != "collaborative_union"]
             for r in rows()]),
     "missing column(s) 'collaborative_union'", {}),
    ("misspelled_item.csv",
     to_csv([h.replace("collaborative_recruitment", "colaborative_recruitment") for h in HEADER], rows()),
     "'collaborative_recruitment' (found 'colaborative_recruitment': misspelled?)", {}),
    ("missing_teacher_id.csv", to_csv(HEADER[1:], [r[1:] for r in rows()]),
     "missing column(s) 'teacher_id'", {}),
    ("unexpected_column.csv", to_csv([*HEADER, "age"], [[*r, "41"] for r in rows()]),
     "unexpected column(s) ['age']", {}),
    ("duplicate_column.csv", to_csv([*HEADER, "fragmented_union"], [[*r, "1"] for r in rows()]),
     "['fragmented_union'] appear more than once", {}),
    ("non_integer_answer.csv", with_cell("traditional_union", "2.5"),
     "row 3, column 'traditional_union': '2.5' is not a whole number", {}),
    ("text_answer.csv", with_cell("bureaucratic_policies", "agree"),
     "row 3, column 'bureaucratic_policies': 'agree' is not a number", {}),
    ("out_of_range_high.csv", with_cell("collaborative_policies", "6", row=4),
     "row 6, column 'collaborative_policies': answer 6 is outside the response scale 1-5", {}),
    ("out_of_range_zero.csv", with_cell("fragmented_policies", "0"),
     "answer 0 is outside the response scale 1-5", {}),
    ("out_of_range_seven_point.csv", with_cell("fragmented_recruitment", "7"),
     "answer 7 is outside the response scale 1-5", {}),
    ("undeclared_code_minus9.csv", with_cell("collaborative_union", "-9"),
     "row 3, column 'collaborative_union': -9 looks like a missing-value code that was not declared", {}),
    ("undeclared_code_99.csv", with_cell("traditional_policies", "99"),
     "99 looks like a missing-value code", {}),
    ("undeclared_code_minus1.csv", with_cell("bureaucratic_union", "-1"),
     "-1 looks like a missing-value code", {}),
    ("undeclared_code_9_when_other_declared.csv", with_cell("bureaucratic_union", "9"),
     "9 looks like a missing-value code", {"missing_codes": [-9]}),
    ("infinite_answer.csv", with_cell("traditional_recruitment", "inf"),
     "'inf' is not a whole number", {}),
    ("negative_infinite_answer.csv", with_cell("collaborative_union", "-inf", row=2),
     "row 4, column 'collaborative_union': '-inf' is not a whole number", {}),
    ("huge_answer.csv", with_cell("fragmented_union", "1e200", row=3),
     "row 5, column 'fragmented_union': '1e200' is not written with the digits 0-9 alone", {}),
    ("exponent_answer.csv", with_cell("traditional_policies", "4e0"),
     "row 3, column 'traditional_policies': '4e0' is not written with the digits 0-9 alone", {}),
    ("fullwidth_digit_answer.csv", with_cell("collaborative_recruitment", "\uff14"),
     "row 3, column 'collaborative_recruitment': '\uff14' is not written with the digits 0-9 "
     "alone", {}),
    ("duplicate_teacher_id.csv", to_csv(HEADER, [*rows(), rows()[2]]),
     "row 8, column 'teacher_id': 'T3' repeats row 4", {}),
    ("empty_teacher_id.csv", with_cell("teacher_id", ""),
     "row 3, column 'teacher_id' is empty", {}),
    ("empty_school_id.csv", with_cell("school_id", "  "),
     "row 3, column 'school_id' is empty", {}),
    ("empty.csv", b"", "the file is empty", {}),
    ("whitespace_only.csv", "\n\n   \n", "the file is empty", {}),
    ("header_only.csv", to_csv(HEADER, []), "the file has a header but no responses", {}),
    ("semicolon_delimited.csv", to_csv(HEADER, rows(), delim=";"),
     "the header is separated by semicolons, not commas", {}),
    ("tab_delimited.csv", to_csv(HEADER, rows(), delim="\t"),
     "the header is separated by tabs, not commas", {}),
    ("pipe_delimited.csv", to_csv(HEADER, rows(), delim="|"),
     "the header is separated by vertical bars, not commas", {}),
    ("single_column.csv", "answers\n1\n2\n", "the header has a single column", {}),
    ("latin1_encoded.csv", with_cell("teacher_id", "Jos\u00e9", row=2).encode("latin-1"),
     "line 4 is not valid UTF-8 (byte 0xe9)", {}),
    ("utf16_encoded.csv", to_csv(HEADER, rows()).encode("utf-16"),
     "the file is UTF-16; save it as UTF-8 CSV", {}),
    ("nul_bytes.csv", to_csv(HEADER, rows()).replace("T2", "T\x002"),
     "contains NUL bytes", {}),
    ("ragged_row.csv", to_csv(HEADER, rows()).replace("T2,A,", "T2,A,1,", 1),
     "row 3 has 23 fields, the header has 22", {}),
    ("too_many_rows.csv", to_csv(HEADER, rows(12)), "12 rows exceed the limit of 10",
     {"max_rows": 10}),
    ("scale_bounds_reversed.csv", to_csv(HEADER, rows()),
     "scale_min and scale_max must be integers with scale_min < scale_max",
     {"scale_min": 5, "scale_max": 1}),
]


def main() -> None:
    for old in HERE.glob("*.csv"):
        old.unlink()
    manifest = []
    for name, content, fragment, options in CASES:
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (HERE / name).write_bytes(data)
        manifest.append({"file": name, "message": fragment, "options": json.dumps(options)})
    with open(HERE / "expected.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["file", "message", "options"], lineterminator="\n")
        w.writeheader()
        w.writerows(manifest)


if __name__ == "__main__":
    main()
