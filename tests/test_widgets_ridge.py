"""Headless tests of the chapter-5 explorer (rmtbook.widgets.ridge)."""

from __future__ import annotations


import numpy as np
import pytest

import rmtbook
from rmtbook.widgets import Explorer, ridge_explorer
from rmtbook.widgets.ridge import _SAMPLES_PER_FEATURE, draw_ridge_risk, two_block_population


def _lines(ex):
    return {line.get_label(): line for line in ex.figure.axes[0].get_lines()}


def _out_label(ridge):
    return rf"$R_{{out}}$, $\gamma$ = {ridge:.2g}"


def test_default_view_draws_theory_curves():
    ex = ridge_explorer()
    assert isinstance(ex, Explorer)
    lines = _lines(ex)
    out = lines[_out_label(1e-3)]
    x, y = out.get_data()
    np.testing.assert_allclose(x, _SAMPLES_PER_FEATURE)
    expected = rmtbook.ridge_risk(1 / _SAMPLES_PER_FEATURE, 1e-3, 0.25, 1.0).out_of_sample
    np.testing.assert_allclose(y, expected, rtol=1e-12)
    r_in = lines[rf"$R_{{in}}$, $\gamma$ = {1e-3:.2g}"].get_ydata()
    assert np.all(r_in <= y)
    assert ex.png()[:8] == b"\x89PNG\r\n\x1a\n"


def test_larger_ridge_smooths_the_peak_at_n_equals_p():
    ex = ridge_explorer(ridge=1e-5)
    peak_small = np.max(_lines(ex)[_out_label(1e-5)].get_ydata())
    ex.update(ridge=1.0)
    y = _lines(ex)[_out_label(1.0)].get_ydata()
    assert _out_label(1e-5) not in _lines(ex)  # redrawn, not overlaid
    assert np.max(y) < 0.5 * peak_small
    assert ex.values["ridge"] == 1.0


def test_noise_and_anisotropy_change_the_curves():
    ex = ridge_explorer()
    y0 = _lines(ex)[_out_label(1e-3)].get_ydata().copy()
    ex.update(noise_var=1.0)
    y1 = _lines(ex)[_out_label(1e-3)].get_ydata()
    assert np.all(y1 > y0)  # monotone in the noise level
    ex.update(anisotropy=10.0)
    y2 = _lines(ex)[_out_label(1e-3)].get_ydata()
    eigs, weights = two_block_population(10.0)
    expected = rmtbook.ridge_risk(1 / _SAMPLES_PER_FEATURE, 1e-3, 1.0, 1.0, eigs, weights).out_of_sample
    np.testing.assert_allclose(y2, expected, rtol=1e-12)
    assert not np.allclose(y2, y1)


def test_optimal_ridge_curve_is_below_the_others():
    ex = ridge_explorer(ridge=0.1, noise_var=0.5)
    lines = _lines(ex)
    best = lines[r"$R_{out}$ at $\gamma^*$"].get_ydata()
    assert np.all(best <= lines[_out_label(0.1)].get_ydata() + 1e-12)
    assert np.all(best <= lines["ridgeless $R_{out}$"].get_ydata() + 1e-12)


def test_two_block_population_and_errors():
    eigs, weights = two_block_population(3.0)
    assert eigs[1] / eigs[0] == pytest.approx(3.0) and np.dot(eigs, weights) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="anisotropy"):
        two_block_population(0.5)
    with pytest.raises(ValueError, match="ridge"):
        ridge_explorer(ridge=0.0)
    with pytest.raises(ValueError, match="unknown control"):
        ridge_explorer().update(gamma=1.0)
    fig = ridge_explorer().figure
    with pytest.raises(ValueError, match="noise_var"):
        draw_ridge_risk(fig, noise_var=-1.0)


def test_redraw_updates_the_curves():
    # redraw speed is measured by benchmarks/bench_widgets.py, never asserted in tests
    ex = ridge_explorer()
    before = [line.get_ydata().copy() for line in ex.figure.axes[0].get_lines()]
    ex.update(ridge=0.05)
    after = [line.get_ydata() for line in ex.figure.axes[0].get_lines()]
    assert any(b.shape != a.shape or not np.allclose(b, a) for b, a in zip(before, after))


def test_two_block_population_is_a_frozen_population_spectrum():
    import dataclasses

    from rmtbook.widgets.ridge import PopulationSpectrum

    spec = two_block_population(3.0)
    assert isinstance(spec, PopulationSpectrum)
    eigs, weights = spec
    assert eigs is spec.population_eigs and weights is spec.weights
    assert float(np.dot(spec.population_eigs, spec.weights)) == pytest.approx(1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.weights = None
