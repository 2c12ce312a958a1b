"""The command line around the measurement core (measurement §7): ``python -m sla_cli``.

The shell that reads the exported files, the clock and the folder of reports,
and hands the core (``sla_core``, pure functions of their inputs) what it
needs: :mod:`sla_cli.files` reads and validates the input files,
:mod:`sla_cli.main` is the command line (``report``, ``report-all``), and
:mod:`sla_cli.batch` computes every tenant's month on all cores. No Azure SDK
is imported here.
"""
