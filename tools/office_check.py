"""Open greendiag's Word and Excel files in a real office suite (LibreOffice, headless) and check what it sees.

The test suite reads the files with python-docx and openpyxl, which do not lay out pages or recalculate
formulas. This script, run on demand where LibreOffice is installed (not in CI), checks that:

1. every .docx of the demo report pack converts to PDF (page counts printed; look at the PDFs);
2. a blank template's year headers are recalculated from the diagnosis year typed into 园区信息
   (the year changed with openpyxl, which leaves no cached values, then read back through LibreOffice);
3. the demo workbook saved again by LibreOffice reads to the same diagnosis as the original.

Run: .venv/bin/python tools/office_check.py [--out DIR]    (Debian: apt install libreoffice-writer-nogui
libreoffice-calc-nogui poppler-utils fonts-noto-cjk)
"""

from __future__ import annotations

import argparse
import csv
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
ALL_SHEETS_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def soffice(*args: str, cwd: pathlib.Path) -> None:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        sys.exit("LibreOffice (soffice) is not installed: apt install libreoffice-writer-nogui libreoffice-calc-nogui")
    subprocess.run([exe, "--headless", *args], cwd=cwd, check=True, capture_output=True, timeout=300)


def pages(pdf: pathlib.Path) -> str:
    if shutil.which("pdfinfo") is None:
        return f"{pdf.stat().st_size:,} bytes"
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return next((line.split()[-1] + " pages" for line in out.splitlines() if line.startswith("Pages:")), "?")


def check_reports(work: pathlib.Path) -> bool:
    import greendiag
    from greendiag.pack import write_pack

    pack = work / "pack"
    write_pack(greendiag.diagnose(greendiag.load_dataset(ROOT / "examples" / "demo-park.yaml")), pack)
    docs = sorted(pack.glob("*.docx"))
    soffice("--convert-to", "pdf", "--outdir", str(work / "pdf"), *map(str, docs), cwd=work)
    ok = True
    for doc in docs:
        pdf = work / "pdf" / (doc.stem + ".pdf")
        ok &= pdf.exists()
        print(f"  {doc.name} -> {pdf.name if pdf.exists() else 'NOT CONVERTED'} ({pages(pdf) if pdf.exists() else '-'})")
    return ok


def check_year_headers(work: pathlib.Path) -> bool:
    import openpyxl

    import greendiag
    from greendiag.excel import layout, write_template

    cat = greendiag.load_catalogue()
    path = work / "template.xlsx"
    write_template(path, cat, diagnosis_year=2025)
    wb = openpyxl.load_workbook(path)
    ws = wb[layout.PARK]
    cells = [c for row in ws.iter_rows() for c in row if c.value == 2025]
    if len(cells) != 1:
        print(f"  expected one cell holding the diagnosis year, found {len(cells)}")
        return False
    cells[0].value = 2030
    wb.save(work / "template-2030.xlsx")
    out = work / "csv"
    out.mkdir()
    soffice("--convert-to", ALL_SHEETS_CSV, "--outdir", str(out), str(work / "template-2030.xlsx"), cwd=work)
    sheet = next(out.glob(f"*{layout.INDICATORS}*.csv"))
    seen = {cell for row in csv.reader(sheet.open(encoding="utf-8")) for cell in row}
    count = cat.scoring.years
    want = {f"{2030 - k}年" for k in range(1, count + 1)}
    print(f"  {layout.INDICATORS}: year headers after typing 2030 = {sorted(want & seen)} (want {sorted(want)})")
    return want <= seen


def check_resaved_workbook(work: pathlib.Path) -> bool:
    import greendiag

    src = ROOT / "examples" / "demo-park.xlsx"
    soffice("--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(work / "resaved"), str(src), cwd=work)
    again = work / "resaved" / src.name
    cat = greendiag.load_catalogue()

    def text(path: pathlib.Path) -> str:
        d = greendiag.diagnose(greendiag.load_dataset(path, catalogue=cat)).to_dict()
        return json.dumps(d, sort_keys=True, ensure_ascii=False).replace(str(path), "<workbook>")

    same = text(src) == text(again)
    print(f"  {src.name} saved again by LibreOffice reads to {'the same' if same else 'A DIFFERENT'} diagnosis")
    return same


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", help="keep the files here (default: a temporary folder)")
    args = ap.parse_args()
    work = pathlib.Path(args.out or tempfile.mkdtemp(prefix="greendiag-office-"))
    work.mkdir(parents=True, exist_ok=True)
    results = {}
    for name, check in (("Word reports to PDF", check_reports), ("workbook year headers", check_year_headers),
                        ("workbook saved by LibreOffice", check_resaved_workbook)):
        print(name)
        results[name] = check(work)
    print(f"\nfiles in {work}")
    failed = [n for n, ok in results.items() if not ok]
    if failed:
        sys.exit("FAILED: " + "; ".join(failed))
    print("all office checks passed")


if __name__ == "__main__":
    main()
