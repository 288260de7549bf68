"""Every rule's entry point: run one albench job, on the warm worker pool when there is one.

Usage: python scripts/job.py LAYOUT LOG THREADS VALUES...  (see src/albench/jobs.py)
"""

import sys

from albench.job import main

sys.exit(main())
