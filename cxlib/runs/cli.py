"""The `cx` command: validate, run, verify, clean, new, demo, portfolio, explore."""
from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from .. import paths
from ..errors import CxError, Stopped, UsageError
from . import parameters


def _parameter(text: str) -> tuple[str, str]:
    # Only the shape here: names and values are checked together, all at once, in _run.
    name, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected name=value, got '{text}'")
    return name.strip(), value.strip()


def _shard(text: str) -> tuple[int, int]:
    k, sep, n = text.partition("/")
    if not (sep and k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise argparse.ArgumentTypeError(f"expected K/N with 1 <= K <= N, such as 2/4, got '{text}'")
    return int(k), int(n)


SMALL_HELP = ("report a survey with fewer answers to the overall measure than "
              "survey.min_answers (default 30), its figures flagged as small samples")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cx", description="cx-workbook: customer-experience "
                                     "engagement reports from a client's data folder.")
    sub = parser.add_subparsers(dest="command", required=True)
    validate = sub.add_parser("validate", help="check a client's files against its client.yml")
    validate.add_argument("clients", nargs="+", help="client id (under data/clients) or folder")
    validate.add_argument("--allow-small", action="store_true", help=SMALL_HELP)
    run = sub.add_parser("run", help="run the notebooks and write reports/<client>/")
    run.add_argument("clients", nargs="*", help="client ids or folders")
    run.add_argument("--all", action="store_true", help="every client under data/clients")
    run.add_argument("--workers", type=int, default=None,
                     help="parallel worker processes on this machine (default 2)")
    run.add_argument("--output", type=Path, default=paths.REPORTS, help="reports folder")
    run.add_argument("--shard", type=_shard, default=(1, 1), metavar="K/N",
                     help="run only the K-th of N equal shares of the clients (one per "
                     "cluster node)")
    run.add_argument("--resume", action="store_true",
                     help="skip clients whose report on disk is whole and was made from the "
                     "same inputs, parameters, notebooks, cxlib, templates and deliverables")
    run.add_argument("-p", "--parameter", type=_parameter, action="append", default=[],
                     metavar="NAME=VALUE", help="a run parameter, over the client's "
                     "settings.yml: " + "; ".join(f"{p.name} ({p.expected()}, default "
                                                  f"{p.default:g})"
                                                  for p in parameters.PARAMETERS.values()))
    run.add_argument("--allow-small", action="store_true", help=SMALL_HELP)
    run.add_argument("--no-deliverables", action="store_true",
                     help="write report.html and results.json only (no PDF, Excel, images)")
    dask = run.add_argument_group("on a dask cluster (docs/cluster.md)")
    dask.add_argument("--cluster", metavar="ADDRESS", default=None,
                      help="run each client as a task on the dask scheduler at ADDRESS "
                      "(tcp://HOST:8786, tls://HOST:8786), or on N dask workers started "
                      "here with local:N; each client's input files are sent to its worker "
                      "and its report sent back (encrypted: tls:// unless the scheduler is "
                      "on this machine)")
    dask.add_argument("--shared-storage", action="store_true",
                      help="the workers read the client folders and write the reports folder "
                      "themselves, at the same paths (storage every worker mounts); nothing "
                      "is sent")
    dask.add_argument("--tls-ca", type=Path, default=None, metavar="FILE",
                      help="certificate authority the scheduler's certificate is signed by")
    dask.add_argument("--tls-cert", type=Path, default=None, metavar="FILE",
                      help="this client's certificate")
    dask.add_argument("--tls-key", type=Path, default=None, metavar="FILE",
                      help="this client's private key")
    verify = sub.add_parser("verify", help="check a report folder against its manifest and "
                            "its inputs against the client's folder")
    verify.add_argument("report", type=Path, help="a report folder, such as reports/acme")
    verify.add_argument("--client", type=Path, default=None,
                        help="the client's folder, if not where the report was made from")
    clean = sub.add_parser("clean", help="remove what interrupted runs left behind")
    clean.add_argument("--output", type=Path, default=paths.REPORTS, help="reports folder")
    clean.add_argument("clients", nargs="*", help="client folders to clean of run snapshots "
                       "(default: every client under data/clients)")
    new = sub.add_parser("new", help="scaffold a new client folder with intake templates")
    new.add_argument("client", help="the new client's id")
    new.add_argument("--folder", type=Path, default=paths.CLIENTS, help="where clients live")
    demo = sub.add_parser("demo", help="generate a demo client of any size")
    demo.add_argument("folder", type=Path)
    demo.add_argument("--respondents", type=int, default=2000)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--language", choices=("en", "zh"), default="en")
    explore = sub.add_parser("explore", help="serve the workshop view of a client (Voila: "
                             "journey map, gaps and what-if with their controls, no code)")
    explore.add_argument("client", help="client id (under data/clients) or folder")
    explore.add_argument("--port", type=int, default=0, help="port on localhost (default: a "
                         "free one)")
    sub.add_parser("kernel", help="register this environment's Jupyter kernel 'cx-workbook'")
    bench = sub.add_parser("portfolio", help="benchmark every client's finished report into "
                           "reports/portfolio.json (aggregates only); the next runs show it")
    bench.add_argument("--output", type=Path, default=paths.REPORTS, help="reports folder")
    return parser


def _kernel(args) -> int:
    from .run import ensure_kernel

    print(f"Jupyter kernel '{ensure_kernel()}' -> {sys.executable}")
    return 0


def _explore(args) -> int:
    from .explore import serve

    return serve(args.client, args.port or None)


def _validate(args) -> int:
    from ..inputs.client import load_client

    for client in args.clients:
        loaded = load_client(client, allow_small=args.allow_small)
        print(f"{loaded.id}: ok")
        for r in loaded.sources.itertuples():
            print(f"  {r.input}: {r.file}, {r.rows:,} rows ({r.read_as})")
        if loaded.outcomes is not None and "join" in loaded.outcomes.attrs:
            join = loaded.outcomes.attrs["join"]
            print(f"  survey-CRM join: {join['matched']:,} of {join['surveyed']:,} surveyed "
                  f"customers have outcomes ({join['crm']:,} customers in the CRM file)")
        if loaded.outcomes is not None and "windows" in loaded.outcomes.attrs:
            w = loaded.outcomes.attrs["windows"]
            print(f"  outcomes from {w['purchases']:,} purchases of {w['customers']:,} "
                  f"customers: revenue {w['revenue_from']} to {w['survey_date']}, retained = "
                  f"a purchase {w['survey_date']} to {w['retained_to']}")
        for warning in loaded.warnings:
            print(f"  warning: {warning}")
        stored = parameters.read_settings(loaded.config.folder)
        if stored:
            print(f"  {parameters.SETTINGS_FILE}: "
                  + ", ".join(f"{k} = {v:g}" for k, v in stored.items()))
    return 0


def _cluster_options(args) -> dict:
    """--cluster and its companions, checked together (UsageError)."""
    tls = (args.tls_ca, args.tls_cert, args.tls_key)
    if args.cluster is None:
        alone = [flag for flag, given in (("--shared-storage", args.shared_storage),
                                          ("--tls-*", any(tls))) if given]
        if alone:
            raise UsageError(f"{' and '.join(alone)} only with --cluster")
        return {}
    from .cluster import check_shipping, parse_cluster, security

    if args.shard != (1, 1):
        raise UsageError("--shard is for array jobs without a scheduler; with --cluster "
                         "the scheduler shares the clients out")
    if args.workers is not None:
        raise UsageError("--workers is for one machine; with --cluster the cluster's workers "
                         "run the clients (--cluster local:N for N workers here)")
    cluster, secure = parse_cluster(args.cluster), security(*tls)
    if not args.shared_storage:
        check_shipping(cluster, secure)
    return {"cluster": cluster, "shared_storage": args.shared_storage, "tls": secure}


def _run(args) -> int:
    from .run import all_clients, run_many

    given = parameters.check(dict(args.parameter))   # UsageError before anything is read
    cluster = _cluster_options(args)
    clients = all_clients() if args.all else args.clients
    if not clients:
        raise CxError("name one or more clients, or --all")
    k, n = args.shard
    clients = clients[k - 1::n]
    if not clients:
        print(f"shard {k}/{n}: no clients to run")
        return 0
    workers = 2 if args.workers is None else args.workers
    outcomes = run_many(clients, workers=workers, progress=True, output_root=args.output,
                        parameters=given, allow_small=args.allow_small,
                        deliverables=not args.no_deliverables, resume=args.resume, **cluster)
    for o in outcomes:
        if o.ok:
            where = f" on {o.worker}" if o.worker else ""
            note = " (unchanged, skipped)" if o.skipped else f" ({o.seconds:.0f} s{where})"
            again = f"; {o.reason}" if o.reason and not o.skipped else ""
            print(f"{o.client}: {o.path}{note}{again}")
        else:
            print(f"{o.client}: FAILED\n  " + o.reason.replace("\n", "\n  "), file=sys.stderr)
    failed = sum(not o.ok for o in outcomes)
    if failed:
        print(f"{failed} of {len(outcomes)} clients failed", file=sys.stderr)
    return 1 if failed else 0


def _verify(args) -> int:
    from .manifest import verify

    status, lines = verify(args.report, args.client)
    print("\n".join(lines), file=sys.stdout if status == 0 else sys.stderr)
    return status


def _clean(args) -> int:
    from .run import all_clients
    from .staging import clean

    folders = [Path(c) for c in args.clients] or [paths.CLIENTS / c for c in all_clients()]
    touched, busy = clean(args.output, folders)
    for path in touched:
        print(f"{'restored' if not path.name.startswith('.') else 'removed'} {path}")
    for client in busy:
        print(f"{client}: a run is in progress; left alone")
    if not touched and not busy:
        print("nothing to clean")
    return 0


def _new(args) -> int:
    from ..inputs.scaffold import new_client

    written = new_client(args.folder / args.client)
    print(f"{args.client}: wrote " + ", ".join(p.name for p in written))
    print(f"next: add the survey export to {args.folder / args.client}, edit client.yml, "
          f"then run: cx validate {args.folder / args.client}")
    return 0


def _demo(args) -> int:
    from ..inputs.demo import make_client

    folder = make_client(args.folder, n_respondents=args.respondents, seed=args.seed,
                         language=args.language)
    print(folder)
    return 0


def _portfolio(args) -> int:
    from ..outputs import portfolio

    if not args.output.is_dir():
        raise CxError(f"no reports folder {args.output}: run the clients first (cx run --all)")
    path, benchmark = portfolio.write(args.output)
    groups = benchmark["groups"]
    print(f"{path}: {benchmark['clients']} clients with a finished report")
    for group, cells in groups.items():
        print(f"  {group}: {len(cells)} figures")
    if not groups:
        print(f"  nothing published: a figure needs at least {portfolio.MIN_CLIENTS} clients")
    print("next: cx run --all (each report then shows where its client stands)")
    return 0


COMMANDS = {"validate": _validate, "run": _run, "verify": _verify, "clean": _clean,
            "new": _new, "demo": _demo, "kernel": _kernel, "portfolio": _portfolio,
            "explore": _explore}


def _stop(signum, _frame):
    raise Stopped(signal.Signals(signum).name)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; a user's mistake is printed plainly, without a traceback.

    Exit status: 0 done, 1 bad data or a failed client, 2 a bad command (argparse's own
    status for a malformed one), 3 `cx verify`: intact but the inputs changed since,
    130 interrupted (Ctrl-C), 143 stopped (SIGTERM). Stopping removes unfinished work.
    """
    args = _parser().parse_args(argv)
    try:
        previous = signal.signal(signal.SIGTERM, _stop)
    except ValueError:          # not the main thread (tests): leave SIGTERM alone
        previous = None
    try:
        return COMMANDS[args.command](args)
    except UsageError as err:
        print(f"cx {args.command}: {err}", file=sys.stderr)
        return 2
    except CxError as err:
        print(str(err), file=sys.stderr)
        return 1
    except (KeyboardInterrupt, Stopped) as stop:
        how = "Ctrl-C" if isinstance(stop, KeyboardInterrupt) else stop.signal_name
        print(f"cx {args.command}: stopped by {how}; finished reports are in place, "
              "unfinished ones were removed", file=sys.stderr)
        return 130 if isinstance(stop, KeyboardInterrupt) else 143
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
