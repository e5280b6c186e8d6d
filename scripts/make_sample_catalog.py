#!/usr/bin/env python3
"""Generate the sample catalogue of the fictional city 云河市 into ``datasets/``.

    .venv/bin/python scripts/make_sample_catalog.py [--out DIR]

Deterministic and idempotent: every dataset draws from its own
``random.Random`` seeded with a fixed string, the reference day is fixed
(``TODAY``), and the same bytes are written on every run. Standard library
and PyYAML only; no network.

The script owns the dataset folders whose descriptor begins with
``GENERATED_MARK``: it removes those before writing and never touches
``portal.yaml``, ``vocabularies.yaml``, ``calendars/`` or a folder made by
hand. When ``--out`` names another folder, the two settings files are copied
there if missing, so the result loads as a catalogue on its own.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import yaml
from sample.big_data import ds_utilities
from sample.civil_affairs import ds_elderly_care, ds_place_names, ds_subsistence
from sample.common import DEFAULT_OUT, SETTINGS_FILES
from sample.culture import ds_libraries, ds_scenic_spots
from sample.education import ds_exam_sites, ds_kindergartens, ds_schools
from sample.emergency import ds_reserves, ds_shelters
from sample.environment import ds_air_quality
from sample.health import ds_infectious_diseases, ds_medical_institutions
from sample.housing import ds_presale, ds_toilets
from sample.human_resources import ds_insurance_settlement, ds_job_fairs, ds_social_insurance
from sample.market import (
    ds_annual_reports,
    ds_enterprises,
    ds_licences,
    ds_penalties,
    ds_pharmacies,
)
from sample.model import Spec
from sample.natural_resources import ds_property_register
from sample.public_security import ds_criminal_cases, ds_household_register, ds_key_persons
from sample.statistics import ds_gdp, ds_population
from sample.transport import (
    ds_bike_parking,
    ds_bus_lines,
    ds_bus_stops,
    ds_charging,
    ds_parking,
    ds_taxi_tracks,
)
from sample.writer import remove_generated, write_dataset

GENERATORS: tuple[Callable[[], Spec], ...] = (
    ds_bus_stops, ds_bus_lines, ds_parking, ds_charging, ds_bike_parking, ds_taxi_tracks,
    ds_air_quality, ds_medical_institutions, ds_infectious_diseases, ds_pharmacies,
    ds_schools, ds_kindergartens, ds_exam_sites, ds_enterprises, ds_licences, ds_penalties,
    ds_annual_reports, ds_elderly_care, ds_subsistence, ds_place_names, ds_shelters, ds_reserves,
    ds_scenic_spots, ds_libraries, ds_toilets, ds_presale, ds_population, ds_gdp, ds_job_fairs,
    ds_social_insurance, ds_insurance_settlement, ds_property_register, ds_utilities,
    ds_household_register, ds_criminal_cases, ds_key_persons,
)


# ------------------------------------------------------------------ main


def generate(out: Path) -> list[Spec]:
    """Write the sample catalogue into ``out`` and return what was written."""
    out.mkdir(parents=True, exist_ok=True)
    for name in SETTINGS_FILES:
        if not (out / name).exists():
            shutil.copyfile(DEFAULT_OUT / name, out / name)
    vocab = yaml.safe_load((out / "vocabularies.yaml").read_text(encoding="utf-8"))
    departments = {d["code"]: d for d in vocab["departments"]}
    specs = [make() for make in GENERATORS]
    identifiers = [s.identifier for s in specs]
    if len(set(identifiers)) != len(identifiers):
        raise SystemExit("two generators produce the same identifier")
    clash = [i for i in identifiers if (out / i).exists()
             and not (out / i / "datapackage.yaml").is_file()]
    remove_generated(out)
    clash += [i for i in identifiers if (out / i).exists()]
    if clash:
        raise SystemExit(f"not overwriting folders made by hand: {', '.join(sorted(set(clash)))}")
    for spec in specs:
        write_dataset(out, spec, departments)
    return specs


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="catalogue folder to write into (default: datasets/)")
    parser.add_argument("--quiet", action="store_true", help="print nothing")
    args = parser.parse_args(list(argv) if argv is not None else None)
    specs = generate(args.out)
    if not args.quiet:
        for spec in specs:
            rows = " + ".join(str(len(t.rows)) for t in spec.tables) or "-"
            print(f"{spec.identifier:<11} {spec.open_type:<13} {rows:>13}  {spec.title}")
        total = sum(folder_size(args.out / s.identifier) for s in specs)
        print(f"{len(specs)} datasets, {total / 1_000_000:.2f} MB in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
