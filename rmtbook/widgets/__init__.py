"""Interactive explorers (ipywidgets), one module per chapter family.

The top layer of the package: explorers may import anything below them. :class:`Explorer`
is the shared machinery; every explorer is a function returning an :class:`Explorer` whose
default view is a meaningful static figure.
"""

from ._core import Explorer
from .concentration import *  # noqa: F401,F403
from .stieltjes import *  # noqa: F401,F403
from .marchenko_pastur import *  # noqa: F401,F403
from .spiked import *  # noqa: F401,F403
from .ridge import *  # noqa: F401,F403
from .hermite import *  # noqa: F401,F403
from .kernels import *  # noqa: F401,F403
from .random_features import *  # noqa: F401,F403
from .deep import *  # noqa: F401,F403
from .finite import *  # noqa: F401,F403
from .gaussian_equivalence import *  # noqa: F401,F403
from .dynamics import *  # noqa: F401,F403
from .feature_learning import *  # noqa: F401,F403
from .proportional import *  # noqa: F401,F403
from . import (concentration as _c, stieltjes as _s, marchenko_pastur as _m, spiked as _sp,
               ridge as _r, hermite as _h, kernels as _k, random_features as _rf, deep as _d,
               finite as _fi, gaussian_equivalence as _geq, dynamics as _dyn, feature_learning as _fl,
               proportional as _pw)

__all__ = ["Explorer"] + [n for m in (_c, _s, _m, _sp, _r, _h, _k, _rf, _d, _fi, _geq, _dyn, _fl, _pw)
                          for n in m.__all__]
