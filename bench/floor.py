"""The plain-Python floor: the same cxlib calls and the same report, without notebooks.

Usage: python bench/floor.py CLIENT OUTPUT_FOLDER [--no-deliverables]
"""
import sys
from pathlib import Path

from cxlib import practices
from cxlib.outputs import report
from cxlib.inputs.client import load_client
from cxlib.runs import parameters
from cxlib.runs.run import fingerprint


def main() -> None:
    client = load_client(sys.argv[1])
    out = Path(sys.argv[2])
    settings = parameters.resolve(client.config.folder)
    p = parameters.values(settings)
    sections = {
        "P1": practices.outcomes(client, what_if_share=p["what_if_share"]),
        "P2": practices.touchpoints(client, threshold=p["threshold"], alpha=p["alpha"]),
        "P3": practices.perception_gaps(client, threshold=p["threshold"], alpha=p["alpha"]),
        "P4": practices.capabilities(client),
        "roadmap": practices.roadmap(client, threshold=p["threshold"], alpha=p["alpha"],
                                     what_if_share=p["what_if_share"]),
    }
    report.write(client, sections, out, {"fingerprint": fingerprint(client, settings),
                                         "settings": parameters.records(settings)})
    if "--no-deliverables" not in sys.argv:
        from cxlib.outputs import deliver

        deliver.write_all(client, sections, out)


if __name__ == "__main__":
    main()
