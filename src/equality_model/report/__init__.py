"""The report: a folder with a self-contained HTML page, PNG plots, NetCDF and CSV results.

``build_report(results, out)`` writes it; ``load_results(path)`` reads saved results (or says why it
cannot). ``equality-model demo`` runs the built-in Massachusetts comparison and builds it;
``equality-model report RESULTS.nc`` rebuilds it from saved results. See docs/report.md.
"""

from equality_model.report.build import (
    DEMO_SCENARIO,
    SECTIONS,
    ReportFiles,
    build_report,
    load_results,
    parameter_hash,
)

__all__ = ["DEMO_SCENARIO", "SECTIONS", "ReportFiles", "build_report", "load_results", "parameter_hash"]
