"""Self-checked numerical exercises.

A reader (or a student with the student edition, where solutions are removed) types
``rmtbook.exercises.check("ex-conc-chi2", 20000)`` and learns whether the answer is right within
the exercise's tolerance. The reference answer is *computed* (from a closed form or from the
package's own functions), never printed: the result says "correct" or "not yet", with the
exercise's hint, and no number that would give the answer away.

Chapters register nothing at run time; the registry below is the single list of self-checked
exercises, keyed by the exercise labels used in the chapters, so a test can check that every
label exists in the book.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._typing import ArrayLike
from ._validation import check_array, check_choice

__all__ = ["check", "available", "CheckResult"]


@dataclass(frozen=True)
class _Answer:
    compute: Callable[[], ArrayLike]
    rtol: float
    atol: float
    hint: str
    chapter: str


@dataclass(frozen=True)
class CheckResult:
    """Outcome of :func:`check`: truthy when the answer is right.

    Attributes
    ----------
    label : str
        The exercise label.
    correct : bool
        Whether every entry of the answer is within tolerance of the reference.
    message : str
        What to tell the reader (never the reference value).
    """

    label: str
    correct: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        return self.message

    def _repr_markdown_(self) -> str:
        return ("**Correct.** " if self.correct else "**Not yet.** ") + self.message.split(": ", 1)[-1]


def _smallest_p_for_relative_fluctuation() -> int:
    # sqrt(2/p) <= 0.01  <=>  p >= 2 / 0.01**2
    return int(np.ceil(2 / 0.01**2))


def _rademacher_mean_trace(n: int = 200, p: int = 100) -> float:
    m4 = 1.0
    return 1 + p / n + (m4 - 2) / n


def _merging_ratio() -> float:
    """Smallest ratio at which the two bulks of H = (delta_1 + delta_4)/2 merge (bisection)."""
    from .laws import sample_covariance_law

    lo, hi = 0.01, 2.0  # two intervals at lo, one at hi
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if len(sample_covariance_law([1.0, 4.0], mid).support()) >= 2:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _best_overparameterization() -> float:
    """Ratio c > 1 minimizing the isotropic ridgeless risk at noise 0.25, signal 1."""
    from scipy.optimize import minimize_scalar

    from .linear import ridge_risk

    res = minimize_scalar(lambda c: ridge_risk(c, 0.0, noise_var=0.25, signal_norm2=1.0).out_of_sample,
                          bounds=(1.001, 50.0), method="bounded", options={"xatol": 1e-8})
    return float(res.x)


def _bayes_ridges() -> np.ndarray:
    """Minimizers of the out-of-sample risk for the anisotropic population of ex-ridge-bayes."""
    from scipy.optimize import minimize_scalar

    from .linear import ridge_risk

    out = []
    for c in (0.3, 1.0, 3.0):
        f = lambda g: ridge_risk(c, np.exp(g), noise_var=0.5, signal_norm2=2.0,  # noqa: E731
                                 population_eigs=[0.1, 1.0, 10.0], weights=[0.5, 0.3, 0.2]).out_of_sample
        res = minimize_scalar(f, bounds=(np.log(1e-4), np.log(1e2)), method="bounded", options={"xatol": 1e-9})
        out.append(float(np.exp(res.x)))
    return np.array(out)


def _leaky_slope_maximizing_nonlinear_energy() -> float:
    """Slope s in [-1, 1] of max(x, s x) maximizing nu - a_0^2 - a_1^2 (grid then refine)."""
    from .hermite import hermite_coefficients, second_moment

    def energy(s: float) -> float:
        f = lambda x: np.maximum(x, s * x)  # noqa: E731
        a = hermite_coefficients(f, 1)
        return second_moment(f) - a[0] ** 2 - a[1] ** 2

    grid = np.linspace(-1.0, 1.0, 41)
    values = np.array([energy(s) for s in grid])
    return float(grid[int(np.argmax(values))])


def _relu_one_layer_shares() -> np.ndarray:
    """(q_1, A_1/q_1, B_1/q_1) of a ReLU layer on unit-norm data, without the 1/p term."""
    from .kernels import dual_activation

    q1 = float(dual_activation("relu", 1.0))
    A1 = float(dual_activation("relu", 0.0))
    B1 = float(dual_activation("relu", 0.0, derivative_order=1))
    return np.array([q1, A1 / q1, B1 / q1])


def _relu_ntk_first_order() -> np.ndarray:
    """Constant and slope of the one-layer ReLU NTK off the diagonal, to first order in x_i^T x_j."""
    from .deep import neural_tangent_kernel_coefficients

    coef = neural_tangent_kernel_coefficients(["relu"], p=10**12)
    return np.array([coef.A[1], coef.B[1]])


def _normalized_layer_factors() -> np.ndarray:
    """Per-layer data-share factors a_1^2 / (nu - a_0^2) of erf, centred GELU and centred SiLU."""
    from .hermite import hermite_coefficients, second_moment

    out = []
    for name in ("erf", "gelu", "silu"):
        a = hermite_coefficients(name, 1)
        out.append(a[1] ** 2 / (second_moment(name) - a[0] ** 2))
    return np.array(out)



# --- chapter 8b: Gaussian equivalence and random-features asymptotics ----------------------------
def _relu_infinite_width_ridge() -> float:
    """Ridge of chapter 5 (ratio 0.5) equal to ReLU random features at infinite width: c v / a_1^2."""
    from .hermite import hermite_coefficients, second_moment

    a = hermite_coefficients("relu", 1)
    v = second_moment("relu") - a[0] ** 2 - a[1] ** 2
    return 0.5 * v / a[1] ** 2


def _tanh_triple_descent_peaks() -> np.ndarray:
    """n/p of the two peaks of the asymptotic test MSE of tanh features, N = 4p, gamma = 1e-6."""
    from .gaussian_equivalence import random_features_asymptotic_errors

    n_over_p = np.geomspace(0.2, 20.0, 4001)
    test = random_features_asymptotic_errors("tanh", 1 / n_over_p, 4 / n_over_p, 1e-6, 0.5, 1.0).test
    inner = (test[1:-1] > test[:-2]) & (test[1:-1] > test[2:])
    return np.sort(n_over_p[1:-1][inner])[:2]


def _gradient_flow_variance_constant() -> float:
    """sup_u (1 - e^{-u})^2 (1 + u)^2 / u^2: gradient flow's variance filter over ridge's at 1/t."""
    from scipy.optimize import minimize_scalar

    res = minimize_scalar(lambda u: -(np.expm1(-u) * (1.0 + u) / u) ** 2, bounds=(0.1, 10.0),
                          method="bounded", options={"xatol": 1e-10})
    return float(-res.fun)


def _gradient_flow_optimal_stopping() -> np.ndarray:
    """(t*, min_t R_out / min_gamma R_out) for C = I, c = 0.5, sigma^2 = 0.5, r^2 = 1."""
    from scipy.optimize import minimize_scalar

    from .dynamics import gradient_flow_risk
    from .linear import optimal_ridge, ridge_risk

    c, s2 = 0.5, 0.5
    grid = np.geomspace(0.01, 100.0, 200)
    i = int(np.argmin(gradient_flow_risk(c, grid, s2, 1.0).out_of_sample))
    res = minimize_scalar(lambda lt: gradient_flow_risk(c, np.exp(lt), s2, 1.0).out_of_sample,
                          bounds=(np.log(grid[i - 1]), np.log(grid[i + 1])), method="bounded",
                          options={"xatol": 1e-10})
    best_ridge = ridge_risk(c, optimal_ridge(c, s2, 1.0), s2, 1.0).out_of_sample
    return np.array([float(np.exp(res.x)), float(res.fun / best_ridge)])


# -- chapter 10b: feature learning after one gradient step ------------------------------------
def _fl_threshold() -> float:
    """Critical learning rate: ReLU student, linear target, p/n = 0.5, N/n = 1, noise 0.25."""
    from .feature_learning import one_step_spike

    return one_step_spike("relu", "linear", 1.0, 0.5, 1.0, 0.25).critical_learning_rate


def _fl_alignment() -> float:
    """Limit of <w_top, beta_*>^2: tanh student, erf target, eta = 4, p/n = 0.5, N/n = 1."""
    from .feature_learning import one_step_spike

    return float(one_step_spike("tanh", "erf", 4.0, 0.5, 1.0, 0.0).weight_alignment)


_REGISTRY: dict[str, _Answer] = {
    "ex-conc-chi2": _Answer(
        compute=_smallest_p_for_relative_fluctuation, rtol=0.0, atol=0.5,
        hint="the smallest integer p with std(||x||^2)/E||x||^2 <= 1%",
        chapter="chapters/01_concentration",
    ),
    "ex-conc-universality": _Answer(
        compute=_rademacher_mean_trace, rtol=1e-9, atol=1e-12,
        hint="E (1/p) tr C_hat^2 for Rademacher entries at n = 200, p = 100 (exact, not simulated)",
        chapter="chapters/01_concentration",
    ),
    "ex-mp-merge": _Answer(
        compute=_merging_ratio, rtol=0.0, atol=0.01,
        hint="the critical ratio c* (two digits) at which the two bulks of (delta_1 + delta_4)/2 merge",
        chapter="chapters/03_marchenko_pastur",
    ),
    "ex-ridge-overparam": _Answer(
        compute=_best_overparameterization, rtol=0.0, atol=1e-3,
        hint="the ratio c > 1 minimizing the ridgeless risk at sigma^2 = 0.25, r^2 = 1",
        chapter="chapters/05_ridge",
    ),
    "ex-ridge-bayes": _Answer(
        compute=_bayes_ridges, rtol=0.02, atol=0.0,
        hint="the three optimal ridges, for c = 0.3, 1 and 3 in this order",
        chapter="chapters/05_ridge",
    ),
    "ex-herm-leaky": _Answer(
        compute=_leaky_slope_maximizing_nonlinear_energy, rtol=0.0, atol=0.03,
        hint="the leaky-ReLU slope s at which nu - a_0^2 - a_1^2 is largest",
        chapter="chapters/06_hermite",
    ),
    "ex-dck-relu": _Answer(
        compute=_relu_one_layer_shares, rtol=1e-6, atol=1e-9,
        hint="the three numbers q_1, A_1/q_1, B_1/q_1, in this order",
        chapter="chapters/09_deep_conjugate_kernels",
    ),
    "ex-dck-erf": _Answer(
        compute=_normalized_layer_factors, rtol=1e-5, atol=0.0,
        hint="the per-layer factors a_1^2/nu of normalized erf, centred GELU and centred SiLU, in this order",
        chapter="chapters/09_deep_conjugate_kernels",
    ),
    "ex-ntk-relu1": _Answer(
        compute=_relu_ntk_first_order, rtol=1e-6, atol=1e-9,
        hint="the constant and the coefficient of x_i^T x_j, in this order",
        chapter="chapters/10_ntk",
    ),
    # chapter 8b
    "ex-geq-implicit-ridge": _Answer(
        compute=_relu_infinite_width_ridge, rtol=0.01, atol=0.0,
        hint="the ridge (convention of rmtbook.ridge_risk, c = 0.5) of the linear model equivalent to "
             "ReLU random features at infinite width; a common mistake is to forget a_0^2 in nu - a_0^2 - a_1^2, "
             "or the factor c",
        chapter="chapters/08b_gaussian_equivalence",
    ),
    "ex-geq-triple": _Answer(
        compute=_tanh_triple_descent_peaks, rtol=0.02, atol=0.0,
        hint="the two values of n/p where the test error peaks, smaller first; the peaks are not exactly at "
             "n = p and n = N: locate the maxima of the curve, do not quote the thresholds",
        chapter="chapters/08b_gaussian_equivalence",
    ),
    # -- chapter 5b: training dynamics of linear models ----------------------------------------
    "ex-gf-constant": _Answer(
        compute=_gradient_flow_variance_constant, rtol=0.0, atol=5e-4,
        hint="the supremum over u > 0 of (1 - e^{-u})^2 (1 + u)^2 / u^2 (three decimals; not the "
             "value at u = 1, and the bias filter ratio e^{-2u} (1 + u)^2 never exceeds 1)",
        chapter="chapters/05b_training_dynamics",
    ),
    "ex-gf-stopping": _Answer(
        compute=_gradient_flow_optimal_stopping, rtol=2e-3, atol=0.0,
        hint="the optimal stopping time t* and the ratio of the two optimal risks (noise included, "
             "ratio >= 1: ridge at its optimum is Bayes-optimal), in this order; t* is not 1/gamma*",
        chapter="chapters/05b_training_dynamics",
    ),
    "ex-fl-threshold": _Answer(
        compute=_fl_threshold, rtol=2e-3, atol=0.0,
        hint=("eta_c = c^(-1/4) / (|a_1| sqrt(c_1^2 + psi (nu_* + tau^2))) with c = p/N; "
              "dropping the noise term psi (nu_* + tau^2) or the factor c^(-1/4) are the usual slips"),
        chapter="chapters/10b_feature_learning",
    ),
    "ex-fl-alignment": _Answer(
        compute=_fl_alignment, rtol=5e-3, atol=0.0,
        hint=("the chapter-4 overlap (1 - c/ell^2)/(1 + c/ell) at ell = theta^2 p/N, times the target "
              "factor c_1^2/(c_1^2 + psi nu_*); forgetting either factor, or using ell = theta^2, is wrong"),
        chapter="chapters/10b_feature_learning",
    ),
}



# ------------------------------------------------------------------------------------------------
# chapter 9b: random networks at proportional width
# ------------------------------------------------------------------------------------------------
def _pw_variance_limits() -> np.ndarray:
    """Fixed point gamma/(1 - b^2) of var_L = b^2 var_{L-1} + gamma at gamma = 1/2: relu, tanh."""
    from .proportional import standardize_activation

    return np.array([0.5 / (1.0 - standardize_activation(a).b ** 2) for a in ("relu", "tanh")])


def _pw_bottleneck_atoms() -> np.ndarray:
    """Atom at 0 of mu_3 for width ratios [1/2, 4, 1/2], orthonormal input: tanh, then linear."""
    from .proportional import deep_conjugate_kernel_law

    return np.array([deep_conjugate_kernel_law(np.ones(10), a, [0.5, 4.0, 0.5]).atom
                     for a in ("tanh", "linear")])


def _pw_rf_variance() -> float:
    """Variance a_1^4 / (p/n) + (nu - a_0^2)^2 / (N/n) of the relu Gram law, p = n, N = n/2."""
    from .proportional import standardize_activation

    s = standardize_activation("relu")
    return s.a1**4 / 1.0 + (s.nu - s.a0**2) ** 2 / 0.5


_REGISTRY.update({
    "ex-pw-variance-limit": _Answer(
        compute=_pw_variance_limits, rtol=1e-4, atol=0.0,
        hint=("the limits of var_L as L -> infinity at n/d = 1/2 for relu and tanh, in this order "
              "(common mistakes: b from the raw activation, a_1^2, instead of the standardized "
              "a_1^2/(nu - a_0^2); b instead of b^2; the ratio d/n instead of n/d)"),
        chapter="chapters/09b_proportional_width",
    ),
    "ex-pw-bottleneck": _Answer(
        compute=_pw_bottleneck_atoms, rtol=0.0, atol=1e-6,
        hint=("the two atoms at 0 (tanh, then linear), numbers in [0, 1] (common mistakes: the "
              "bottleneck's 1 - d_2/n carried to the last layer for tanh, whose shift 1 - b > 0 "
              "removes the zero population eigenvalues; or the last layer's own atom, 0, for "
              "the linear network, whose rank stays d_2)"),
        chapter="chapters/09b_proportional_width",
    ),
    "ex-pw-rf-variance": _Answer(
        compute=_pw_rf_variance, rtol=1e-6, atol=0.0,
        hint=("the variance of the limiting spectrum of K = S^T S / N for relu at p = n, N = n/2 "
              "(common mistakes: nu instead of nu - a_0^2, i.e. the mean a_0 kept; N/n instead of "
              "n/N in the width term)"),
        chapter="chapters/09b_proportional_width",
    ),
})

def available() -> dict[str, str]:
    """The self-checked exercises: label -> what the answer should be (no values).

    Returns
    -------
    dict of str to str
        Every exercise label, sorted, with the hint that says what the answer is (a number, a
        pair...), never its value.

    Examples
    --------
    >>> from rmtbook import exercises
    >>> "ex-conc-chi2" in exercises.available()
    True
    """
    return {label: answer.hint for label, answer in sorted(_REGISTRY.items())}


def check(label: str, answer: ArrayLike) -> CheckResult:
    """Say whether ``answer`` solves the exercise ``label`` within its tolerance.

    Parameters
    ----------
    label
        An exercise label from the book, e.g. ``"ex-conc-chi2"``; :func:`available` lists them.
    answer
        A number or an array of numbers (same shape as the reference).

    Returns
    -------
    CheckResult
        Truthy when correct; its message never contains the reference value.

    Raises
    ------
    ValueError
        For an unknown label (the message lists the valid ones) or a non-finite answer.
    TypeError
        For a non-numeric answer.

    References
    ----------
    Used in the exercises of every chapter.

    Examples
    --------
    >>> from rmtbook import exercises
    >>> result = exercises.check("ex-conc-chi2", 1.0)
    >>> bool(result)
    False
    >>> result.label
    'ex-conc-chi2'
    """
    key = check_choice("label", label, _REGISTRY)
    spec = _REGISTRY[key]
    given = check_array("answer", answer)
    reference = np.asarray(spec.compute(), dtype=float)
    if given.shape != reference.shape and given.size != reference.size:
        return CheckResult(key, False, f"{key}: expected {reference.size} number(s), got {given.size}")
    ok = bool(np.allclose(given.reshape(reference.shape), reference, rtol=spec.rtol, atol=spec.atol))
    if ok:
        return CheckResult(key, True, f"{key}: correct.")
    return CheckResult(key, False, f"{key}: not within tolerance yet. Expected: {spec.hint}.")
