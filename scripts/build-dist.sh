#!/usr/bin/env bash
# Build everything spark-submit and the Databricks bundle need, into dist/ (or $DIST_DIR):
#
#   customer_golden_record-<version>-py3-none-any.whl  the project: code, conf/*.yaml, linkage models, expectations
#   spark_submit.py                                    the entry script: spark-submit [options] dist/spark_submit.py run ...
#   jars/scala-udf-similarity-<version>.jar            Splink's Java similarity functions (jaro_winkler ...), from the splink wheel
#   jars/postgresql.jar                                the PostgreSQL JDBC driver for the sample CRM, when $JDBC_JAR exists
#
# With --python-env also (for clusters whose nodes have no Python dependencies installed):
#
#   env/                                               a fresh virtualenv with the wheel and every dependency installed
#   golden-record-env.tar.gz                           env/ packed by venv-pack, for spark-submit --archives ...#environment
#
# Usage: scripts/build-dist.sh [--python-env]
# Environment: PYTHON (default .venv/bin/python, else python3), DIST_DIR (default dist), JDBC_JAR
# (default /usr/share/java/postgresql.jar). The wheel's dependencies come from PyPI (or pip's cache).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-$([ -x "$ROOT/.venv/bin/python" ] && echo "$ROOT/.venv/bin/python" || echo python3)}"
DIST="$(mkdir -p "${DIST_DIR:-$ROOT/dist}" && cd "${DIST_DIR:-$ROOT/dist}" && pwd)"
JDBC_JAR="${JDBC_JAR:-/usr/share/java/postgresql.jar}"
WITH_ENV=false
case "${1:-}" in
  --python-env) WITH_ENV=true ;;
  "") ;;
  *) echo "usage: $0 [--python-env]" >&2; exit 2 ;;
esac

echo "building the wheel into $DIST ..."
rm -f "$DIST"/customer_golden_record-*.whl
rm -rf "$ROOT/build"   # setuptools' staging folder: files left there from older builds would end up in the wheel
"$PYTHON" -m pip wheel --quiet --no-deps --wheel-dir "$DIST" "$ROOT"
WHEEL="$(ls "$DIST"/customer_golden_record-*.whl)"
cp "$ROOT/jobs/spark_submit.py" "$DIST/spark_submit.py"

if $WITH_ENV; then
  echo "creating $DIST/env with the wheel and its dependencies ..."
  rm -rf "$DIST/env" "$DIST/golden-record-env.tar.gz"
  "$PYTHON" -m venv "$DIST/env"
  "$DIST/env/bin/python" -m pip install --quiet --upgrade pip
  "$DIST/env/bin/python" -m pip install --quiet "$WHEEL" venv-pack
  echo "packing it for --archives ..."
  "$DIST/env/bin/venv-pack" --quiet --prefix "$DIST/env" --output "$DIST/golden-record-env.tar.gz"
  PYTHON="$DIST/env/bin/python"   # it surely has splink, for the jar below
fi

mkdir -p "$DIST/jars"
rm -f "$DIST"/jars/*.jar
SPLINK_JAR="$("$PYTHON" -c 'from splink.backends.spark import similarity_jar_location; print(similarity_jar_location())')"
cp "$SPLINK_JAR" "$DIST/jars/"
if [ -f "$JDBC_JAR" ]; then
  cp -L "$JDBC_JAR" "$DIST/jars/postgresql.jar"
else
  echo "note: $JDBC_JAR not found; give spark-submit your JDBC driver with --jars (Debian: libpostgresql-jdbc-java)"
fi
echo "built in $DIST:"
for item in "$DIST"/*.whl "$DIST"/spark_submit.py "$DIST"/jars/*.jar "$DIST"/env "$DIST"/golden-record-env.tar.gz; do
  if [ -e "$item" ]; then echo "  ${item#"$DIST"/}"; fi
done
