"""Every rule's entry point: run one albench job, on the warm worker pool when there is one.

Usage: python scripts/job.py NAME LOG [key=value | key:=json]...  (see src/albench/job.py)
"""

import sys

from albench.job import main

sys.exit(main())
