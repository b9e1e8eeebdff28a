"""``ember.distributed``: ``torch.distributed``'s process groups and collectives on MPI.

ember runs data-parallel jobs on MPI through mpi4py (``pip install 'ember[distributed]'``:
mpi4py and the MPICH wheel). ``init_process_group("mpi")`` — or ``"gloo"``, which ember also runs
on MPI so CPU scripts written for PyTorch work unchanged — takes rank and world size from
``MPI.COMM_WORLD``. Start the ranks with::

    python -m ember.distributed.run --nproc-per-node 4 train.py --lr 0.1
    mpiexec -n 4 python -m mpi4py train.py --lr 0.1          # the same, by hand
    mpiexec -hosts a,b -n 8 python -m mpi4py train.py         # MPICH, two machines
    mpirun --host a:4,b:4 -n 8 python -m mpi4py train.py      # Open MPI

An uncaught exception on one rank aborts the whole job, and every collective is bounded by the
``timeout`` of ``init_process_group``: past it the job aborts with PyTorch's watchdog message
naming the operation. ``import ember`` does not import mpi4py."""
from .distributed_c10d import *  # noqa: F401,F403
from .distributed_c10d import __all__  # noqa: F401
