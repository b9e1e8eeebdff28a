"""ember.nn: modules, layers, losses, functional API and init (torch.nn)."""
from .parameter import Parameter, Buffer, UninitializedParameter, UninitializedBuffer  # noqa: F401
from .modules import *  # noqa: F401,F403
from . import attention, functional, init, utils  # noqa: F401
from . import parallel  # noqa: F401, E402 - nn.parallel (types area)
from .parallel import DataParallel  # noqa: F401, E402
