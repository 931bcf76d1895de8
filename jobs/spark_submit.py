"""The script spark-submit runs: `spark-submit [options] spark_submit.py COMMAND [ARGS]` is `golden-record COMMAND [ARGS]`.

scripts/build-dist.sh copies this file to dist/spark_submit.py; the project itself must be importable on the driver
(the installed wheel, or `--py-files dist/<wheel>`), and on the executors for the Python functions they run.
"""

import sys

from golden_record.jobs.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
