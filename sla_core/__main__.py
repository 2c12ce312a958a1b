"""``python -m sla_core``: the command line."""

import sys

from sla_core.cli import main

sys.exit(main())
