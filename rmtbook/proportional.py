"""Random networks at proportional width: limiting spectra of random-feature Grams and deep CKs.

Two laws of nonlinear random matrices whose three dimensions (samples ``n``, input dimension,
width) grow together:

* :func:`random_features_gram_law`: the ``n x n`` Gram matrix ``K = S^T S / N`` of random
  features ``S = sigma_c(W X / sqrt p)`` with Gaussian data and weights (Pennington & Worah
  2017; Louart, Liao & Couillet 2018; Péché 2019; Benigni & Péché 2021);
* :func:`deep_conjugate_kernel_law`: the conjugate kernel ``X_L^T X_L`` of a deep random
  network with deterministic, nearly orthogonal inputs (Fan & Wang 2020).

Both are *nested* sample-covariance laws: given the previous layer (or the data), the rows of
the feature matrix are independent vectors of ``R^n`` whose covariance is, up to a perturbation
of bounded rank and a vanishing norm, the linear-plus-identity matrix ``b G + (1 - b) I``
(``G`` the previous Gram matrix); the Gram of ``d`` such rows has the Marchenko-Pastur law of
ratio ``n / d`` with that population. Each step is one call of
:func:`rmtbook.sample_covariance_law` on the quantile atoms of the previous law
(:mod:`rmtbook._quantile_atoms`), so the package's one Silverstein solver does all the work.

Used by :doc:`/chapters/09b_proportional_width`.

References
----------
:cite:p:`pennington2017nonlinear`; :cite:p:`louart2018random`; :cite:p:`peche2019note`;
:cite:p:`benigni2021eigenvalue`; :cite:p:`fan2020spectra`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import hermite as _hermite
from ._kernel_core import resolve
from ._quantile_atoms import DEFAULT_ATOMS, is_law, quantile_atoms
from ._typing import Activation as ActivationLike, ArrayLike
from ._validation import check_array, check_scalar
from .laws import SampleCovarianceLaw, marchenko_pastur

__all__ = [
    "StandardizedActivation",
    "standardize_activation",
    "DeepConjugateKernelLaw",
    "deep_conjugate_kernel_law",
    "RandomFeaturesGramLaw",
    "random_features_gram_law",
]

# ------------------------------------------------------------------------------------------------
# standardized activations
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StandardizedActivation:
    """An activation centred and scaled under ``N(0, 1)``: ``(phi - a_0) / sqrt(nu - a_0^2)``.

    Calling it evaluates ``sigma_s`` (vectorized).

    Attributes
    ----------
    phi : callable
        The original activation.
    a0 : float
        ``E[phi(xi)]``, ``xi ~ N(0, 1)``.
    a1 : float
        ``E[phi(xi) xi]``.
    nu : float
        ``E[phi(xi)^2]``.
    scale : float
        ``sqrt(nu - a0^2)``, the standard deviation of ``phi(xi)``.
    b : float
        ``a1^2 / (nu - a0^2)`` in ``[0, 1]``: the squared first Hermite coefficient of
        ``sigma_s`` (Fan & Wang's ``b_sigma``), the share of its variance that is linear.
    """

    phi: Callable[[np.ndarray], np.ndarray]
    a0: float
    a1: float
    nu: float
    scale: float
    b: float

    def __call__(self, x: ArrayLike) -> np.ndarray:
        values = np.asarray(self.phi(np.asarray(x, dtype=float)), dtype=float)
        return (values - self.a0) / self.scale


def standardize_activation(activation: ActivationLike) -> StandardizedActivation:
    """Centre and scale an activation under N(0, 1); its linear share ``b = a_1^2/(nu - a_0^2)``.

    Parameters
    ----------
    activation : str, callable or Activation
        A name of ``rmtbook.ACTIVATIONS``, an :class:`rmtbook.Activation` or a vectorized
        callable; it must not be constant on ``N(0, 1)`` (``nu > a_0^2``).

    Returns
    -------
    StandardizedActivation
        Callable ``sigma_s``, with ``a0``, ``a1``, ``nu``, ``scale`` and ``b``.

    Raises
    ------
    ValueError
        Unknown name, an activation returning NaN or overflowing, or a constant activation.
    TypeError
        Neither a name nor a callable.

    References
    ----------
    :cite:p:`fan2020spectra` (standardized activations, ``b_sigma = (E sigma'(xi))^2``).
    Used in :doc:`/chapters/09b_proportional_width`.

    Examples
    --------
    >>> from rmtbook import standardize_activation
    >>> s = standardize_activation("relu")
    >>> round(s.b, 6)  # (1/4) / (1/2 - 1/(2 pi))
    0.733471
    >>> float(s(0.0)) == -s.a0 / s.scale
    True
    """
    res = resolve(activation, "activation")
    source = res.key if res.key is not None else res.phi
    try:
        coef = _hermite.hermite_coefficients(source, 1, breakpoints=res.breaks)
        nu = float(_hermite.second_moment(source, breakpoints=res.breaks))
    except (ValueError, FloatingPointError, OverflowError) as exc:
        raise ValueError(f"activation: its Gaussian moments could not be computed ({exc})") from exc
    a0, a1 = float(coef[0]), float(coef[1])
    var = nu - a0 * a0
    if not (np.isfinite(var) and np.isfinite(a1)) or var <= 1e-12 * max(nu, 1e-300):
        raise ValueError("activation must not be constant under N(0, 1): nu - a_0^2 must be > 0, "
                         f"got nu = {nu!r}, a_0 = {a0!r}")
    b = min(max(a1 * a1 / var, 0.0), 1.0)  # Cauchy-Schwarz: a_1^2 <= nu - a_0^2
    return StandardizedActivation(res.phi, a0, a1, nu, math.sqrt(var), b)


# ------------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------------
def _affine_atoms(law, scale: float, shift: float) -> tuple[np.ndarray, np.ndarray]:
    """Quantile atoms of the law of ``scale * lambda + shift``, ``lambda ~ law``."""
    values, weights = quantile_atoms(law, DEFAULT_ATOMS)
    return scale * values + shift, weights


# ------------------------------------------------------------------------------------------------
# deep conjugate kernel (Fan & Wang 2020)
# ------------------------------------------------------------------------------------------------
class DeepConjugateKernelLaw(SampleCovarianceLaw):
    """Limiting spectral law of the conjugate kernel ``X_L^T X_L`` of a deep random network.

    Built by :func:`deep_conjugate_kernel_law`; a :class:`rmtbook.SampleCovarianceLaw` (same
    interface: ``pdf``, ``cdf``, ``ppf``, ``support()``, ``atom``, ``stieltjes``, ``moment``,
    ``mean``, ``var``, ``sample``) whose population is the law of ``b lambda + 1 - b``,
    ``lambda`` distributed as the previous layer's law, and whose ratio is ``n / d_L``.

    Attributes
    ----------
    activation : StandardizedActivation
        The standardized activation ``sigma_s``.
    b : float
        Its linear share ``a_1(sigma_s)^2``.
    width_ratios : numpy.ndarray
        ``[n/d_1, ..., n/d_L]``.
    layers : tuple of SampleCovarianceLaw
        The laws ``mu_1, ..., mu_L`` of every layer (the last one is this object).
    input_variance : float
        Variance of the input spectrum (``mu_0``).
    """

    def __init__(self, population_eigs: np.ndarray, ratio: float, weights: np.ndarray, *,
                 activation: StandardizedActivation, width_ratios: np.ndarray,
                 layers: list[SampleCovarianceLaw], input_variance: float) -> None:
        super().__init__(population_eigs, ratio, weights)
        self.activation = activation
        self.b = activation.b
        self.width_ratios = width_ratios
        self.layers = tuple(layers) + (self,)
        self.input_variance = input_variance

    def variances(self) -> np.ndarray:
        """``var_0, var_1, ..., var_L`` by the recursion ``var_l = b^2 var_{l-1} + n / d_l``."""
        out = [self.input_variance]
        for g in self.width_ratios:
            out.append(self.b**2 * out[-1] + float(g))
        return np.array(out)

    def __repr__(self) -> str:  # pragma: no cover - cosmetic
        return (f"DeepConjugateKernelLaw(depth={self.width_ratios.size}, b={self.b:.4g}, "
                f"width_ratios={self.width_ratios.tolist()})")


def _input_atoms(input_eigs) -> tuple[np.ndarray, np.ndarray | None, float]:
    if is_law(input_eigs):
        values, weights = quantile_atoms(input_eigs, DEFAULT_ATOMS, name="input_eigs")
        # the law's own moments (the atoms' are O(K^-3/2) off)
        mean, var = float(input_eigs.mean()), float(input_eigs.var())
    else:
        values = check_array("input_eigs", input_eigs, ndim=1, low=0.0)
        weights = np.full(values.size, 1.0 / values.size)
        mean = float(weights @ values)
        var = float(weights @ (values - mean) ** 2)
    if not abs(mean - 1.0) <= 1e-6:
        raise ValueError("input_eigs must have mean 1 (the input columns have unit norm, so "
                         f"tr X_0^T X_0 = n); got mean {mean!r}")
    return values, weights, var


def deep_conjugate_kernel_law(
    input_eigs: ArrayLike, activation: ActivationLike, width_ratios: ArrayLike
) -> DeepConjugateKernelLaw:
    """Limiting eigenvalue law of the conjugate kernel ``X_L^T X_L`` of a random network.

    The network is ``X_l = sigma_s(W_l X_{l-1}) / sqrt(d_l)`` for ``l = 1, ..., L``, with
    ``W_l`` a ``d_l x d_{l-1}`` matrix of i.i.d. ``N(0, 1)`` entries and ``sigma_s`` the
    activation standardized under ``N(0, 1)`` (:func:`standardize_activation`). The input
    ``X_0`` (``d_0 x n``) has unit-norm, nearly orthogonal columns, and its Gram matrix
    ``X_0^T X_0`` has the eigenvalues ``input_eigs``. When ``n, d_0, ..., d_L`` grow with
    ``n / d_l`` fixed, the spectrum of ``X_L^T X_L`` (``n x n``) tends to ``mu_L``, where
    (Fan & Wang 2020)

    ``mu_l`` = Marchenko-Pastur map, ratio ``n / d_l``, of the law of ``b lambda + (1 - b)``,
    ``lambda ~ mu_{l-1}``,

    i.e. the law of a sample covariance of dimension ``n`` from ``d_l`` samples whose population
    spectrum is that of ``b X_{l-1}^T X_{l-1} + (1 - b) I``, and ``b = a_1(sigma_s)^2``. Its
    mean is 1 and its variance follows ``var_l = b^2 var_{l-1} + n / d_l``. When ``d_l < n``
    it has an atom ``1 - d_l / n`` at 0 (rank ``d_l``).

    Parameters
    ----------
    input_eigs : array_like or law
        The ``n`` eigenvalues of ``X_0^T X_0`` (``>= 0``, mean 1: unit-norm columns), or a law
        object with mean 1 (its limit, e.g. ``marchenko_pastur(n / d_0)``).
    activation : str, callable or Activation
        The activation before standardization (a name of ``rmtbook.ACTIVATIONS``, an
        :class:`rmtbook.Activation` or a vectorized callable), not constant.
    width_ratios : array_like
        ``[n / d_1, ..., n / d_L]``, positive finite numbers (at least one).

    Returns
    -------
    DeepConjugateKernelLaw
        The law ``mu_L``, with the per-layer laws in ``.layers``, ``.b`` and ``.variances()``.

    Notes
    -----
    Each layer is one call of the Silverstein solver on ``2000`` quantile atoms of the previous
    layer's law (:mod:`rmtbook._quantile_atoms`): the discretization error of the Stieltjes
    transform is about ``1e-6``, far below the ``O(1/n)`` fluctuations of a simulated network.
    An activation with ``a_2 != 0`` (e.g. ``relu``) adds a bounded number of outlying
    eigenvalues that the law does not describe (they do not move the Kolmogorov distance by
    more than ``O(1/n)``).

    References
    ----------
    :cite:p:`fan2020spectra` (Theorem 3.4); :cite:p:`pennington2017nonlinear`;
    :cite:p:`benigni2021eigenvalue`. Used in :doc:`/chapters/09b_proportional_width`.

    Examples
    --------
    >>> import numpy as np
    >>> from rmtbook import deep_conjugate_kernel_law, marchenko_pastur
    >>> law = deep_conjugate_kernel_law(marchenko_pastur(0.5), "tanh", [1.0, 1.0])
    >>> round(law.mean(), 6)
    1.0
    >>> bool(np.allclose(law.var(), law.variances()[-1], rtol=1e-4))  # b^2 var + n/d, twice
    True
    """
    sig = standardize_activation(activation)
    ratios = check_array("width_ratios", width_ratios, ndim=(0, 1), low=0.0, low_open=True).ravel()
    values, weights, var0 = _input_atoms(input_eigs)
    b = sig.b
    layers: list[SampleCovarianceLaw] = []
    pop_values, pop_weights = b * values + (1.0 - b), weights
    for ratio in ratios[:-1]:
        law = SampleCovarianceLaw(pop_values, float(ratio), pop_weights)
        layers.append(law)
        pop_values, pop_weights = _affine_atoms(law, b, 1.0 - b)
    return DeepConjugateKernelLaw(pop_values, float(ratios[-1]), pop_weights, activation=sig,
                                  width_ratios=ratios, layers=layers, input_variance=var0)


# ------------------------------------------------------------------------------------------------
# random features Gram matrix (Pennington & Worah 2017; Péché 2019; Benigni & Péché 2021)
# ------------------------------------------------------------------------------------------------
class RandomFeaturesGramLaw(SampleCovarianceLaw):
    """Limiting spectral law of the random-features Gram ``K = S^T S / N``.

    Built by :func:`random_features_gram_law`: the sample-covariance law of dimension ``n`` and
    ratio ``n / N`` whose population is the law of ``a_1^2 lambda + (nu - a_0^2 - a_1^2)``,
    ``lambda ~ MP(n / p)`` (the spectrum of ``X^T X / p``).

    Attributes
    ----------
    activation : StandardizedActivation
        The activation with its Gaussian moments (``.phi`` is the activation itself).
    a0, a1, nu : float
        Gaussian moments of the activation: ``E phi``, ``E phi xi``, ``E phi^2``.
    noise : float
        ``nu - a_0^2 - a_1^2``, the variance of the Gaussian-equivalent noise.
    data_ratio, width_ratio : float
        ``p / n`` and ``N / n``.
    """

    def __init__(self, population_eigs: np.ndarray, ratio: float, weights: np.ndarray, *,
                 activation: StandardizedActivation, data_ratio: float,
                 width_ratio: float) -> None:
        super().__init__(population_eigs, ratio, weights)
        self.activation = activation
        self.a0, self.a1, self.nu = activation.a0, activation.a1, activation.nu
        self.noise = max(self.nu - self.a0**2 - self.a1**2, 0.0)
        self.data_ratio = data_ratio
        self.width_ratio = width_ratio

    def __repr__(self) -> str:  # pragma: no cover - cosmetic
        return (f"RandomFeaturesGramLaw(ratio={self.data_ratio:g}, "
                f"width_ratio={self.width_ratio:g}, "
                f"a1={self.a1:.4g}, noise={self.noise:.4g})")


def random_features_gram_law(
    activation: ActivationLike, ratio: float, width_ratio: float
) -> RandomFeaturesGramLaw:
    """Limiting eigenvalue law of the random-features Gram matrix ``K = S^T S / N`` (``n x n``).

    ``S = sigma_c(W X / sqrt p)`` with ``X`` (``p x n``) and ``W`` (``N x p``) of i.i.d.
    ``N(0, 1)`` entries and ``sigma_c = phi - a_0`` the activation minus its Gaussian mean. As
    ``n, p, N`` grow with ``p / n = ratio`` and ``N / n = width_ratio`` fixed, the spectrum of
    ``K`` tends to the law of the Gaussian-equivalent model

    ``S_lin = a_1 W X / sqrt p + sqrt(nu - a_0^2 - a_1^2) Z`` (``Z`` i.i.d. ``N(0, 1)``),

    (Pennington & Worah 2017, Péché 2019, Benigni & Péché 2021). Given ``X`` the rows of
    ``S_lin`` are i.i.d. ``N(0, Sigma)`` with ``Sigma = a_1^2 X^T X / p + (nu - a_0^2 - a_1^2) I``,
    so the law is the Marchenko-Pastur map, ratio ``n / N``, of the law of
    ``a_1^2 lambda + nu - a_0^2 - a_1^2`` with ``lambda ~ MP(n / p)``: a free multiplicative
    convolution of two Marchenko-Pastur laws, shifted by the noise. Its mean is
    ``nu - a_0^2``, its variance ``a_1^4 / ratio + (nu - a_0^2)^2 / width_ratio``, and it has an
    atom ``1 - N / n`` at 0 when ``N < n`` (larger when the activation is linear and
    ``p < n``).

    The mean ``a_0`` of the activation is *not* part of the law: ``S = S_c + a_0 1 1^T`` adds a
    perturbation of rank one to ``S``, hence one outlying eigenvalue of ``K`` (of order
    ``a_0^2 n``); the even coefficients ``a_2, a_4, ...`` add at most a few more. None of them
    changes the limiting law.

    Parameters
    ----------
    activation : str, callable or Activation
        A name of ``rmtbook.ACTIVATIONS``, an :class:`rmtbook.Activation` or a vectorized
        callable, not constant under ``N(0, 1)``.
    ratio : float
        ``p / n > 0``.
    width_ratio : float
        ``N / n > 0``.

    Returns
    -------
    RandomFeaturesGramLaw
        A :class:`rmtbook.SampleCovarianceLaw` with ``pdf``, ``cdf``, ``ppf``, ``support()``,
        ``atom``, ``stieltjes``, ``moment``, ``mean``, ``var``, ``sample`` and the Gaussian
        moments ``a0``, ``a1``, ``nu``, ``noise``.

    References
    ----------
    :cite:p:`pennington2017nonlinear`; :cite:p:`louart2018random`; :cite:p:`peche2019note`;
    :cite:p:`benigni2021eigenvalue`. Used in :doc:`/chapters/09b_proportional_width`.

    Examples
    --------
    >>> from rmtbook import random_features_gram_law
    >>> law = random_features_gram_law("tanh", ratio=1.0, width_ratio=0.5)
    >>> round(law.atom, 12)  # rank N = n / 2
    0.5
    >>> bool(abs(law.var() - (law.a1**4 / 1.0 + (law.nu - law.a0**2) ** 2 / 0.5)) < 1e-5)
    True
    """
    sig = standardize_activation(activation)
    c = check_scalar("ratio", ratio, low=0.0, low_open=True)
    psi = check_scalar("width_ratio", width_ratio, low=0.0, low_open=True)
    for name, value in (("ratio", c), ("width_ratio", psi)):
        if not np.isfinite(1.0 / value):
            raise ValueError(f"{name} must be in (0, inf) with a finite inverse; got {value!r}")
    noise = max(sig.nu - sig.a0**2 - sig.a1**2, 0.0)
    if sig.a1 == 0.0:
        values, weights = np.array([noise]), np.array([1.0])
    else:
        values, weights = _affine_atoms(marchenko_pastur(1.0 / c), sig.a1**2, noise)
    return RandomFeaturesGramLaw(values, 1.0 / psi, weights, activation=sig,
                                 data_ratio=c, width_ratio=psi)
