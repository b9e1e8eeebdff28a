"""One rank of ``python -m ember.distributed.run``: sets torchrun's environment variables from
MPI's (MPICH's ``PMI_*``/``MPI_LOCAL*``, Open MPI's ``OMPI_COMM_WORLD_*``), then runs the script
as ``python -m mpi4py`` does (an uncaught exception aborts every rank)."""
from __future__ import annotations

import os
import sys

_SOURCES = {"RANK": ("OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK"),
            "WORLD_SIZE": ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE"),
            "LOCAL_RANK": ("OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID"),
            "LOCAL_WORLD_SIZE": ("OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS")}


def set_environment() -> None:
    """``RANK``/``WORLD_SIZE``/``LOCAL_RANK``/``LOCAL_WORLD_SIZE`` from the MPI launcher's
    variables, and torchrun's other ones (``GROUP_RANK``, ``ROLE_RANK``, ``TORCHELASTIC_RUN_ID``
    ...)."""
    for key, names in _SOURCES.items():
        for name in names:
            if name in os.environ:
                os.environ[key] = os.environ[name]
                break
        else:
            os.environ.setdefault(key, "1" if "SIZE" in key else "0")
    os.environ.setdefault("GROUP_RANK", "0")
    os.environ["ROLE_RANK"] = os.environ["RANK"]
    os.environ["ROLE_NAME"] = "default"
    os.environ["ROLE_WORLD_SIZE"] = os.environ["GROUP_WORLD_SIZE"] = os.environ["WORLD_SIZE"]
    for key, value in (("TORCHELASTIC_RUN_ID", "none"), ("TORCHELASTIC_RESTART_COUNT", "0"),
                       ("TORCHELASTIC_MAX_RESTARTS", "0")):
        os.environ.setdefault(key, value)  # dist.is_torchelastic_launched() is True, as torchrun
    os.environ.setdefault("MASTER_ADDR", "localhost")
    os.environ.setdefault("MASTER_PORT", "29500")


def main() -> None:
    """Sets the variables, then runs ``script args`` (or ``-m module args``) under mpi4py."""
    set_environment()
    if os.environ.get("EMBER_TORCH_ALIAS") == "1":  # ``ember run --nproc-per-node N``
        from .._torch_alias import install
        install()
    for stream in (sys.stdout, sys.stderr):  # whole lines: ranks' output does not interleave
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(line_buffering=True, write_through=False)
    from mpi4py.run import run_command_line, set_abort_status
    try:
        run_command_line(sys.argv[1:])
    except SystemExit as exc:
        set_abort_status(exc)
        raise
    except KeyboardInterrupt as exc:
        set_abort_status(exc)
        raise
    except BaseException:
        set_abort_status(1)
        raise


if __name__ == "__main__":
    main()
