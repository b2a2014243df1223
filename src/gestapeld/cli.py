"""The `gestapeld` command: parses options, calls one function per subcommand.

Exit status: 0 success, 2 unusable input (extract, options, configuration), 1 anything
else. Messages never quote a value of the extract; a traceback is shown only with
GESTAPELD_DEBUG=1 (for developers working on synthetic data).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

from . import __version__, config
from .config import ConfigError
from .engine.extract import ExtractError
from .protection.disclosure import ProtectionError


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # exit 2 like every other bad input
        self.print_usage(sys.stderr)
        _usage_exit(message)


def _usage_exit(message: str) -> None:
    print(f"gestapeld: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="gestapeld", description=__doc__.splitlines()[0])
    p.add_argument("--version", action="version", version=f"gestapeld {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    v = sub.add_parser("validate", help="check an extract; exit 0 when it is usable")
    v.add_argument("path", type=Path)
    v.add_argument("--sheet", default=None, help="the sheet of an .xlsx workbook (default: the first)")
    v.add_argument("--not-after", type=_date, default=None, help="reject dates after this day (default: today)")

    s = sub.add_parser("synth", help="write the synthetic extract (deterministic)")
    s.add_argument("--out", type=Path, required=True, help=".parquet or .csv")
    s.add_argument("--seed", type=int, default=20240216)
    s.add_argument("--scale", type=float, default=1.0, help="1 = the Dutch volume")
    s.add_argument("--quiet", action="store_true")
    s.add_argument("--force", action="store_true", help="replace an existing --out (only a file synth wrote)")

    t = sub.add_parser("tables", help="the tables of one iteration")
    t.add_argument("--data", type=Path, default=None, help="extract (default: the synthetic one)")
    t.add_argument("--sheet", default=None, help="the sheet of an .xlsx workbook (default: the first)")
    t.add_argument("--out", type=Path, required=True)
    t.add_argument("--iteration", default="v3")
    t.add_argument("--peildatum", type=_date)
    t.add_argument("--start", type=_date)
    t.add_argument("--end", type=_date)
    t.add_argument("--forms", type=str, help="comma-separated form codes")
    t.add_argument(
        "--intern",
        action="store_true",
        help="also write exact counts (tabel_intern.csv, diepte_intern.csv): never publish",
    )

    sub.add_parser("iterations", help="list the iterations of the YAML file")

    r = sub.add_parser("run", help="execute the notebooks with papermill into book/")
    r.add_argument("--iteration", action="append", default=None, help="only these (repeatable)")
    r.add_argument("--data", type=Path, default=None)
    r.add_argument("--sheet", default=None, help="the sheet of an .xlsx workbook (default: the first)")
    r.add_argument("--force", action="store_true", help="re-execute even when nothing changed")
    r.add_argument("--jobs", type=int, default=None, help="notebooks executed at a time (default: 2, or 1 on one core)")

    pb = sub.add_parser("publish", help="build the website (current edition and archive) into _build/html")
    pb.add_argument(
        "--data",
        type=Path,
        default=None,
        help="the extract the notebooks in book/ were executed on (default: the synthetic one)",
    )
    pb.add_argument("--no-editions", action="store_true", help="only the current edition (faster)")
    pb.add_argument("--force", action="store_true", help="rebuild even when nothing changed")

    bk = sub.add_parser(
        "book", help="the whole publication from one extract into DIR (private workspace; never writes book/ or data/)"
    )
    bk.add_argument("--data", type=Path, default=None, help="the extract (default: the synthetic one, built in book/)")
    bk.add_argument("--sheet", default=None, help="the sheet of an .xlsx workbook (default: the first)")
    bk.add_argument(
        "--out", type=Path, required=True, help="folder that receives the site (never inside the repository)"
    )
    bk.add_argument("--jobs", type=int, default=None, help="notebooks executed at a time (default: 2)")
    bk.add_argument("--no-editions", action="store_true", help="only the current edition (faster)")
    bk.add_argument("--force", action="store_true", help="re-execute and rebuild even when nothing changed")

    vf = sub.add_parser(
        "verify",
        help="reviewer check of a built site: manifests and recorded fingerprints; with --digest against "
        "the announced site digest; with --data rebuilds the site from the extract and compares every file, "
        "then re-runs its notebooks (nbval)",
    )
    vf.add_argument("--build", type=Path, required=True, help="the site folder (the DIR of `gestapeld book`)")
    vf.add_argument("--data", type=Path, default=None, help="the extract (reviewers with access): rebuild and compare")
    vf.add_argument(
        "--digest", default=None, metavar="HEX", help="the site digest the analyst announced (sha256, 64 hex)"
    )
    vf.add_argument("--jobs", type=int, default=None, help="notebooks executed at a time in the rebuild")
    return p


def _warn(command: str, typed: Path) -> None:
    """What validation noticed without refusing (ignored columns, skipped lines): on the terminal."""
    from .engine import extract

    for notice in extract.notices(typed):
        print(f"gestapeld {command}: warning: {notice}", file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    from .engine import extract

    # validated once per extract; the typed copy is written by the first command that needs it
    typed = extract.prepare(args.path, not_after=args.not_after or dt.date.today(), copy=False)
    _warn("validate", typed)
    print(f"extract usable: {extract.summary(typed)['rows']} applications")
    return 0


TABLES_RECORD = ".gestapeld-tables"  # in a `tables --out` folder: the files it wrote, with their sha256


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _written_by_tables(folder: Path) -> dict[str, str]:
    record = folder / TABLES_RECORD
    if not record.is_file():
        return {}
    out = {}
    for line in record.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        if digest and name:
            out[name] = digest
    return out


def _check_tables_out(out: Path, names: list[str]) -> None:
    """`tables` replaces only files it wrote itself and nobody changed since (domain.md
    section 7: the tool never deletes or replaces a file it did not write)."""
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} is a file, not a folder; give a folder for the tables (it may not exist yet)")
    own = _written_by_tables(out) if out.is_dir() else {}
    foreign = [n for n in names if (out / n).exists() and (n not in own or _sha256(out / n) != own[n])]
    if foreign:
        raise ConfigError(
            f"--out {out} already holds {', '.join(foreign)}, not written by `gestapeld tables` (or changed since); "
            "the tool never replaces a file it did not write. Give another --out folder, or move those files away"
        )


def _record_tables(out: Path, names: list[str]) -> None:
    own = _written_by_tables(out)
    own.update({n: _sha256(out / n) for n in names})
    tmp = out / f"{TABLES_RECORD}.tmp"
    tmp.write_text("".join(f"{d}  {n}\n" for n, d in sorted(own.items())), encoding="utf-8")
    os.replace(tmp, out / TABLES_RECORD)


def cmd_synth(args: argparse.Namespace) -> int:
    from .engine import synth

    if args.scale <= 0:
        raise ConfigError("--scale must be positive")
    if args.out.exists() and not args.force:
        raise ConfigError(
            f"--out {args.out} exists; synth never replaces a file it did not write. Give a new path, "
            "or add --force when that file is a synthetic extract written by synth"
        )
    if args.out.is_dir():
        raise ConfigError(f"--out {args.out} is a folder; give a file path ending in .parquet or .csv")
    n = synth.write(args.out, seed=args.seed, scale=args.scale, progress=not args.quiet)
    print(f"wrote {n} applications to {args.out}")
    return 0


def cmd_tables(args: argparse.Namespace) -> int:
    from .engine import counts, extract
    from .publication import report

    it = config.iteration(args.iteration)
    it = counts.with_parameters(
        it,
        peildatum=args.peildatum,
        start=args.start,
        end=args.end,
        vormen=config.parse_forms(args.forms) if args.forms is not None else None,
    )
    data = args.data or config.default_data_path()
    if args.data is None and not data.exists():
        raise ConfigError(f"no --data given and no synthetic default at {data}; run `make data`")
    # validated once per extract; one command reads the file once, through the typed
    # projection, unless a build already wrote the typed copy (extract.typed_source)
    source = extract.typed_source(data, not_after=dt.date.today())
    if args.data is not None:
        _warn("tables", source if isinstance(source, Path) else source.typed_path)
    # an edition's parameter set is protected together with the editions before it, as in
    # the book (report.previous_edition): the same cells as the site's download
    chain = [it]
    while (prev := report.previous_edition(chain[0])) is not None:
        chain.insert(0, prev)
    results = counts.compute_many(source, chain)
    result, previous = results[-1], None
    for earlier in results[:-1]:
        previous = (earlier, report.protect_result(earlier, previous=previous)[0])
    names = ["tabel.csv"] + (["tabel_intern.csv", "diepte_intern.csv"] if args.intern else [])
    _check_tables_out(args.out, names)
    # Write everything to a temporary folder first: DIR gets all files or none.
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.out.parent, prefix=".tables-") as tmp:
        tmpdir = Path(tmp)
        cells, _ = report.protect_result(result, previous=previous)
        report.long_table(result, cells).to_csv(tmpdir / "tabel.csv", index=False)
        if args.intern:
            result.tabel.to_csv(tmpdir / "tabel_intern.csv", index=False)
            result.diepte.to_csv(tmpdir / "diepte_intern.csv", index=False)
        args.out.mkdir(parents=True, exist_ok=True)
        for f in sorted(tmpdir.iterdir()):
            os.replace(f, args.out / f.name)
        _record_tables(args.out, names)
    print(
        f"iteration {it.id} ({it.methode}, {','.join(it.vormen)}, {it.start}..{it.end}, "
        f"peildatum {it.peildatum}): wrote {args.out / 'tabel.csv'}"
        + (" and internal tables (exact counts: do not publish)" if args.intern else "")
    )
    return 0


def cmd_iterations(args: argparse.Namespace) -> int:
    for it in config.iterations().values():
        print(
            f"{it.id}  {it.methode:15s} {','.join(it.vormen)}  {it.start}..{it.end}  "
            f"peildatum {it.peildatum}  {it.titel}"
        )
    return 0


def _jobs(n: int | None) -> int | None:
    if n is not None and n < 1:
        raise ConfigError("--jobs must be 1 or more")
    return n


def cmd_run(args: argparse.Namespace) -> int:
    from .publication import runner

    return runner.run(iterations=args.iteration, data=args.data, force=args.force, jobs_n=_jobs(args.jobs))


def cmd_publish(args: argparse.Namespace) -> int:
    from .publication import publish
    from .publication.checks import CheckFailed

    try:
        publish.publish(editions=not args.no_editions, force=args.force, data=args.data)
    except (RuntimeError, CheckFailed) as err:  # build logs of our own pages: safe to show
        print(f"gestapeld publish: {err}\nThe previous site in _build/html is unchanged.", file=sys.stderr)
        return 1
    return 0


def cmd_book(args: argparse.Namespace) -> int:
    """run + publish, for one extract, in a private workspace; the site is copied to --out."""
    from . import provenance
    from .publication import publish, runner, workspace
    from .publication.checks import CheckFailed

    repo = config.project_root()
    out = args.out.absolute()
    if out.resolve().is_relative_to(repo.resolve()) and args.data is not None:
        raise ConfigError(
            "--out is inside the repository; a site built on an extract must be written "
            "outside it (for example ../site), so it can never be committed"
        )
    if args.data is not None and not args.data.is_file():
        raise ConfigError("extract not found; check the path given with --data")
    # what replacing --out could destroy: refused before anything is built (workspace.check_out)
    protected = {"the repository": repo, "the private cache": workspace.cache_root(), "the home directory": Path.home()}
    if args.data is not None:
        protected = {"the extract": args.data, **protected}
    workspace.check_out(out, protected=protected)
    if args.data is not None:
        data = args.data.resolve()
        work = workspace.path_for(provenance.data_fingerprint(data))
        print(f"gestapeld book: private workspace for this extract: {work}", file=sys.stderr)
        new_work = not work.exists()
        workspace.sync(repo, work)
    else:
        data, work, new_work = None, repo, False
    try:
        with workspace.rooted(work):
            status = runner.run(
                data=data,
                force=args.force,
                jobs_n=_jobs(args.jobs),
                record_outputs=args.data is not None,
                place="the private workspace" if args.data is not None else None,
            )
            if status != 0:
                print("gestapeld book: no site written; the previous contents of --out are unchanged.", file=sys.stderr)
                return status
            site = publish.publish(
                editions=not args.no_editions, force=args.force, data=data, announce=args.data is None
            )
            if args.data is not None:  # beside the private workspace, never in the site
                from .publication.checks import write_checker_report

                with publish.extract_env(data):  # its counts come from this extract, not the default
                    checker = write_checker_report(work.with_name(work.name + "-controle.md"))
                print(f"gestapeld book: report for the output checker (not to publish): {checker}", file=sys.stderr)
    except ExtractError:
        if new_work:  # a refused extract leaves nothing behind: the workspace was made for it
            shutil.rmtree(work, ignore_errors=True)
        raise
    except (RuntimeError, CheckFailed) as err:
        print(f"gestapeld book: {err}\nNo site written; the previous contents of --out are unchanged.", file=sys.stderr)
        return 1
    changed = workspace.deliver(site, out, protected=protected)
    print(
        f"gestapeld book: {'site written to' if changed else 'site unchanged in'} {args.out}; view it with: "
        f"python -m http.server -d {args.out}",
        file=sys.stderr,
    )
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from .publication import verify

    return verify.verify(build=args.build, data=args.data, digest=args.digest, jobs=_jobs(args.jobs))


COMMANDS = {
    "publish": cmd_publish,
    "book": cmd_book,
    "verify": cmd_verify,
    "validate": cmd_validate,
    "synth": cmd_synth,
    "tables": cmd_tables,
    "iterations": cmd_iterations,
    "run": cmd_run,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "sheet", None):  # read by the engine and by the kernels of a build (extract.sheet_for)
        os.environ["GESTAPELD_SHEET"] = args.sheet
    try:
        return COMMANDS[args.command](args)
    except (ExtractError, ConfigError) as err:
        print(f"gestapeld {args.command}: {err}", file=sys.stderr)
        return 2
    except ProtectionError as err:  # names the table and cells, never a count
        print(f"gestapeld {args.command}: disclosure control: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gestapeld: interrupted", file=sys.stderr)
        if threading.active_count() > 1:  # threads of an interrupted build wait on killed kernels
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(130)  # everything was cleaned up on the way out (finally clauses)
        return 130
    except Exception as err:  # noqa: BLE001 - no traceback (or value) reaches the user
        if os.environ.get("GESTAPELD_DEBUG"):
            raise
        print(
            f"gestapeld {args.command}: internal error ({type(err).__name__}); "
            "rerun with GESTAPELD_DEBUG=1 on non-confidential data for details",
            file=sys.stderr,
        )
        return 1
