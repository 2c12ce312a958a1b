"""``python -m sla_cli``: the command line."""

import sys

from sla_cli.main import main

sys.exit(main())
