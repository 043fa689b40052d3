"""The plain-Python floor: the same cxlib calls and the same report, without notebooks.

Usage: python bench/floor.py CLIENT OUTPUT_FOLDER [--no-deliverables]
"""
import datetime as dt
import sys
from pathlib import Path

from cxlib import practices
from cxlib.inputs.client import load_client
from cxlib.outputs import report
from cxlib.runs import manifest, parameters


def compute_sections(client, p: dict) -> dict:
    """Every section of the report, by the calls the notebooks make."""
    return {
        "P1": practices.outcomes(client, what_if_share=p["what_if_share"]),
        "P2": practices.touchpoints(client, threshold=p["threshold"], alpha=p["alpha"]),
        "P3": practices.perception_gaps(client, threshold=p["threshold"], alpha=p["alpha"]),
        "comments": practices.open_comments(client, alpha=p["alpha"]),
        "P4": practices.capabilities(client),
        "roadmap": practices.roadmap(client, threshold=p["threshold"], alpha=p["alpha"],
                                     what_if_share=p["what_if_share"]),
    }


def main() -> None:
    started = dt.datetime.now(dt.timezone.utc)
    client = load_client(sys.argv[1])
    out = Path(sys.argv[2])
    settings = parameters.resolve(client.config.folder)
    deliverables = "--no-deliverables" not in sys.argv
    run = manifest.plan(client.config, parameters.records(settings), deliverables)
    sections = compute_sections(client, parameters.values(settings))
    report.write(client, sections, out, {"settings": parameters.records(settings),
                                         "provenance": manifest.short(run, started)})
    if deliverables:
        from cxlib.outputs import deliver

        deliver.write_all(client, sections, out)
    manifest.write(out, run, started, dt.datetime.now(dt.timezone.utc))


if __name__ == "__main__":
    main()
