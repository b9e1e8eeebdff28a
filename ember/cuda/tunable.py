"""torch.cuda.tunable (TunableOp, GEMM autotuning) on a CPU build: each switch reaches for a
``torch._C`` function the CPU build lacks (AttributeError, as torch's)."""
from __future__ import annotations

__all__ = ["enable", "is_enabled", "tuning_enable", "tuning_is_enabled", "record_untuned_enable",
           "record_untuned_is_enabled", "set_max_tuning_duration", "get_max_tuning_duration",
           "set_max_tuning_iterations", "get_max_tuning_iterations", "set_filename",
           "get_filename", "get_results", "get_validators", "read_file",
           "set_rotating_buffer_size", "get_rotating_buffer_size",
           "set_numerical_check_tolerances"]


def _no_c(c_name: str) -> AttributeError:
    return AttributeError(f"module 'torch._C' has no attribute '{c_name}'")


def enable(val: bool = True) -> None:
    """The on/off switch of all TunableOp implementations (not in a CPU build: AttributeError)."""
    raise _no_c("_cuda_tunableop_enable")


def is_enabled() -> bool:
    """Whether TunableOp is on (not in a CPU build: AttributeError)."""
    raise _no_c("_cuda_tunableop_is_enabled")


def tuning_enable(val: bool = True) -> None:
    """Switch tuning of TunableOp implementations (not in a CPU build: AttributeError)."""
    raise _no_c("_cuda_tunableop_tuning_enable")


def tuning_is_enabled() -> bool:
    """Whether TunableOp tunes (not in a CPU build: AttributeError)."""
    raise _no_c("_cuda_tunableop_tuning_is_enabled")


def record_untuned_enable(val: bool = True) -> None:
    """Switch recording untuned TunableOp operations (not in a CPU build: AttributeError)."""
    raise _no_c("_cuda_record_untuned_enable")


def record_untuned_is_enabled() -> bool:
    """Whether untuned TunableOp operations are recorded (not in a CPU build: AttributeError)."""
    raise _no_c("_cuda_record_untuned_is_enabled")


def set_max_tuning_duration(duration: int) -> None:
    """Cap the time spent tuning one operation (not in a CPU build: AttributeError)."""
    raise _no_c("_cuda_tunableop_set_max_tuning_duration")


def get_max_tuning_duration() -> int:
    """The cap on the time spent tuning one operation (not in a CPU build: AttributeError)."""
    raise _no_c("_cuda_tunableop_get_max_tuning_duration")


def set_max_tuning_iterations(iterations: int) -> None:
    """Cap the iterations of tuning one operation (not in a CPU build: AttributeError)."""
    raise _no_c("_cuda_tunableop_set_max_tuning_iterations")


def get_max_tuning_iterations() -> int:
    """The cap on the iterations of tuning one operation (not in a CPU build: AttributeError)."""
    raise _no_c("_cuda_tunableop_get_max_tuning_iterations")


def set_filename(filename: str, insert_device_ordinal: bool = False) -> None:
    """Set the file of tuning results (not in a CPU build: AttributeError)."""
    raise _no_c("_cuda_tunableop_set_filename")


def get_filename() -> str:
    """The file of tuning results (not in a CPU build: AttributeError)."""
    raise _no_c("_cuda_tunableop_get_filename")


def get_results() -> tuple[str, str, str, float]:
    """The tuning results (not in a CPU build: AttributeError)."""
    raise _no_c("_cuda_tunableop_get_results")


def get_validators() -> tuple[str, str]:
    """The validators of the tuning results (not in a CPU build: AttributeError)."""
    raise _no_c("_cuda_tunableop_get_validators")


def read_file(filename: str | None = None) -> bool:
    """Read tuning results from a file (not in a CPU build: AttributeError)."""
    if filename is None:  # torch asks for the current file first
        raise _no_c("_cuda_tunableop_get_filename")
    raise _no_c("_cuda_tunableop_read_file")


def set_rotating_buffer_size(buffer_size: int) -> None:
    """Set the rotating buffer size of tuning (not in a CPU build: AttributeError)."""
    raise _no_c("_cuda_tunableop_set_rotating_buffer_size")


def get_rotating_buffer_size() -> int:
    """The rotating buffer size of tuning (not in a CPU build: AttributeError)."""
    raise _no_c("_cuda_tunableop_get_rotating_buffer_size")


def set_numerical_check_tolerances(enable: bool, atol: float = 1e-5, rtol: float = 1e-5) -> None:
    """Set the tolerances of TunableOp's numerical check (not in a CPU build: AttributeError)."""
    raise _no_c("_cuda_tunableop_set_numerical_check_tolerances")
