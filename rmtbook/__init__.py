"""rmtbook: the package behind *Random Matrix Theory for Deep Learning*, an executable book.

Layers, bottom up (nothing imports upward):

1. ``_validation``, ``_rng``, ``plotting``, ``display``: argument checks, random generators,
   figure style, printed tables;
2. ``laws`` (spectral laws), ``ensembles`` (random matrix samplers), ``hermite`` (Gaussian
   analysis of activations);
3. ``resolvents`` (deterministic equivalents), ``kernels`` (nonlinear kernel matrices and their
   linear equivalents), ``spectra`` (matrix-free spectral densities), ``datasets`` (real data);
4. ``linear`` (ridge regression), ``spiked`` (spiked models), ``shallow`` (random features),
   ``deep`` (conjugate kernels and the NTK), ``networks`` (finite-width networks),
   ``diagnostics`` (finite-size fits and universality checks), ``proportional`` (spectra of
   random networks at proportional width);
5. ``widgets`` (interactive explorers), ``exercises`` (self-checked exercises).

The public API is re-exported here; names listed in the book's issues are a contract.

``import rmtbook`` loads only numpy, scipy and the numerics: ``plotting`` (matplotlib),
``widgets`` (ipywidgets, IPython) and ``exercises`` are imported on first use
(``rmtbook.plotting``, ``from rmtbook import widgets``), through the module ``__getattr__`` of
PEP 562, so that a script that computes a law does not pay for a plotting stack.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .laws import *  # noqa: F401,F403
from .fluctuations import *  # noqa: F401,F403
from .ensembles import *  # noqa: F401,F403
from .hermite import *  # noqa: F401,F403
from .resolvents import *  # noqa: F401,F403
from .kernels import *  # noqa: F401,F403
from .spectra import *  # noqa: F401,F403
from .datasets import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .spiked import *  # noqa: F401,F403
from .shallow import *  # noqa: F401,F403
from .deep import *  # noqa: F401,F403
from .networks import *  # noqa: F401,F403
from .diagnostics import *  # noqa: F401,F403
from .gaussian_equivalence import *  # noqa: F401,F403
from .dynamics import *  # noqa: F401,F403
from .feature_learning import *  # noqa: F401,F403
from .proportional import *  # noqa: F401,F403

from . import fluctuations as _flu
from . import laws as _laws, ensembles as _ens, hermite as _her, resolvents as _res
from . import kernels as _ker, spectra as _spe, datasets as _dat, linear as _lin
from . import spiked as _spi, shallow as _sha, deep as _deep, networks as _net, diagnostics as _diag
from . import gaussian_equivalence as _geq
from . import dynamics as _dyn
from . import feature_learning as _fl
from . import proportional as _prop

#: Submodules imported on first attribute access (PEP 562), not by ``import rmtbook``.
_LAZY_SUBMODULES = ("plotting", "display", "widgets", "exercises")

__all__ = ["__version__", *_LAZY_SUBMODULES] + [
    name
    for module in (_laws, _flu, _ens, _her, _res, _ker, _spe, _dat, _lin, _spi, _sha, _deep, _net, _diag, _geq,
                   _dyn, _fl, _prop)
    for name in module.__all__
]


def __getattr__(name: str):
    """Import ``plotting``, ``display``, ``widgets`` and ``exercises`` on first access (PEP 562)."""
    if name in _LAZY_SUBMODULES:
        import importlib

        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module  # later accesses skip this hook
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
