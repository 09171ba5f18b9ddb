"""The website's downloads (collabcomm.pipeline.downloads): what is copied, the byte-stable zip
of data/derived, and the links. The built site's links are tested in test_pipeline_site.py."""

from __future__ import annotations

import json
import os
import zipfile

from collabcomm.paths import project
from collabcomm.pipeline import downloads


def _project(tmp_path):
    root = tmp_path / "proj"
    (root / "notebooks").mkdir(parents=True)
    (root / "notebooks/params.yaml").write_text("{}\n")
    (root / "data/derived").mkdir(parents=True)
    (root / "data/derived/audit.csv").write_text("check,status\ngrim,match\n")
    (root / "data/derived/t.csv").write_text("a\n1\n")
    (root / "data/README.md").write_text("# codebook\n")
    (root / "figures").mkdir()
    (root / "figures/f.png").write_bytes(b"png")
    (root / "figures/f.svg").write_text("<svg/>")
    (root / "build/notebooks").mkdir(parents=True)
    (root / "build/notebooks/01_x.ipynb").write_text("{}")
    (root / "build/stamps").mkdir(parents=True)
    (root / "build/stamps/01_x.json").write_text(json.dumps(
        {"outputs": ["figures/f.svg", "data/derived/t.csv", "figures/f.png", "gone.csv"]}))
    return project(root)


def test_every_download_is_copied_and_named(tmp_path):
    paths = _project(tmp_path)
    cff = tmp_path / "CITATION.cff"
    cff.write_text("cff-version: 1.2.0\n")
    src = tmp_path / "site"
    got = downloads.write_downloads(paths, src, ["01_x"], cff)
    assert got.audit == "downloads/audit.csv" and got.citation == "downloads/CITATION.cff"
    assert got.notebooks == {"01_x": "downloads/notebooks/01_x.ipynb"}
    # what the stamp lists and exists, in name order
    assert got.outputs["01_x"] == [
        ("data/derived/t.csv", "downloads/outputs/data/derived/t.csv"),
        ("figures/f.png", "downloads/outputs/figures/f.png"),
        ("figures/f.svg", "downloads/outputs/figures/f.svg")]
    assert got.figures == {"f": {"png": "downloads/figures/f.png",
                                 "svg": "downloads/figures/f.svg"}}
    for rel, source in ((got.audit, paths.derived / "audit.csv"),
                        (got.figures["f"]["svg"], paths.figures / "f.svg")):
        assert (src / rel).read_bytes() == source.read_bytes()
    with zipfile.ZipFile(src / got.derived_zip) as zf:
        assert zf.namelist() == ["CITATION.cff", "LICENSE", "data/README.md",
                                 "data/derived/audit.csv", "data/derived/t.csv"]
        assert zf.read("data/README.md") == b"# codebook\n"  # the project's own
        assert zf.read("data/derived/t.csv") == b"a\n1\n"


def test_the_zip_is_byte_stable(tmp_path):
    paths = _project(tmp_path)
    a = downloads.write_downloads(paths, tmp_path / "a", [])
    os.utime(paths.derived / "t.csv", (0, 0))  # another time stamp, same bytes
    b = downloads.write_downloads(paths, tmp_path / "b", [])
    assert (tmp_path / "a" / a.derived_zip).read_bytes() == \
        (tmp_path / "b" / b.derived_zip).read_bytes()
    with zipfile.ZipFile(tmp_path / "a" / a.derived_zip) as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_links_and_the_notebook_box(tmp_path):
    paths = _project(tmp_path)
    got = downloads.write_downloads(paths, tmp_path / "site", ["01_x"])
    box = downloads.notebook_downloads("01_x", got)
    assert "{download}`01_x.ipynb <downloads/notebooks/01_x.ipynb>`" in box
    assert ("- Tables and data it wrote: {download}`t.csv <downloads/outputs/data/derived/t.csv>`"
            in box)
    assert ("- Figures it wrote: {download}`f.png <downloads/outputs/figures/f.png>`, "
            "{download}`f.svg <downloads/outputs/figures/f.svg>`") in box
    assert "has not been run" in downloads.notebook_downloads("02_y", got)
    assert downloads.figure_files(got) == {
        "f": "{download}`PNG <downloads/figures/f.png>` · {download}`SVG <downloads/figures/f.svg>`"}
