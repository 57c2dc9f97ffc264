"""`python -m nrr_warehouse`: the same as the `nrr` console script."""

import sys

from nrr_warehouse.cli import main

sys.exit(main())
