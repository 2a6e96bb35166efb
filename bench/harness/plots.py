"""PNG plots of a benchmark run: per-engine CDFs of per-token mask time and of compile time.

Entry point: ``write_cdf_plot(values_by_engine, path, title, unit)``. The x axis is logarithmic
because the interesting part of these distributions is the tail, three or more decades above
the median; a second panel plots the fraction above x on a log scale, where p99 and p99.9 are
a decade apart. Each curve is drawn from at most ``CDF_POINTS`` quantiles (plus the maximum) so
that a run with millions of tokens still yields a small file. matplotlib is imported lazily
with the Agg backend, so the rest of the harness works without it.
"""

from __future__ import annotations

from pathlib import Path

CDF_POINTS = 2000


def cdf_points(values):
    """(x, y) pairs of the empirical CDF, thinned to at most CDF_POINTS + 1 points."""
    ordered = sorted(value for value in values if value > 0)
    count = len(ordered)
    if count == 0:
        return [], []
    if count <= CDF_POINTS:
        indices = range(count)
    else:
        step = (count - 1) / CDF_POINTS
        indices = sorted({round(i * step) for i in range(CDF_POINTS + 1)} | {count - 1})
    xs = [ordered[i] for i in indices]
    ys = [(i + 1) / count for i in indices]
    return xs, ys


def write_cdf_plot(values_by_engine: dict, path: Path, title: str, unit: str) -> bool:
    """Writes the plot; returns False (and writes nothing) when no engine has data."""
    series = {engine: cdf_points(values) for engine, values in values_by_engine.items()}
    series = {engine: points for engine, points in series.items() if points[0]}
    if not series:
        return False
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, (cdf_axes, tail_axes) = pyplot.subplots(1, 2, figsize=(11, 4), dpi=100)
    for engine, (xs, ys) in series.items():
        label = f"{engine} (n={len(values_by_engine[engine]):,})"
        cdf_axes.step(xs, ys, where="post", label=label)
        # The right panel shows what the left one squeezes into its top edge: the fraction of
        # values above x, on a log scale, so p99 and p99.9 are a decade apart.
        above = [max(1.0 - y, 0.5 / len(values_by_engine[engine])) for y in ys]
        tail_axes.step(xs, above, where="post", label=label)
    cdf_axes.set_ylabel("fraction at or below")
    cdf_axes.set_ylim(0, 1.01)
    cdf_axes.set_title(title)
    cdf_axes.legend(loc="lower right")
    tail_axes.set_yscale("log")
    tail_axes.set_ylabel("fraction above (log scale)")
    tail_axes.set_title("tail")
    for axes in (cdf_axes, tail_axes):
        axes.set_xscale("log")
        axes.set_xlabel(unit)
        axes.grid(True, which="both", alpha=0.3)
    figure.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    pyplot.close(figure)
    return True
