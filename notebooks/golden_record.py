# Databricks notebook source
# MAGIC %md
# MAGIC # Customer golden record: one pipeline command
# MAGIC
# MAGIC Runs `golden-record <command>` (the same CLI as on a laptop or through spark-submit) on this cluster's
# MAGIC SparkSession. The bundle (`databricks.yml`) runs it once per stage; you can also run it by hand.
# MAGIC
# MAGIC | parameter | meaning |
# MAGIC | --- | --- |
# MAGIC | `command` | `ingest`, `standardise`, `run`, `generate-sample` … (`golden-record --help` lists them) |
# MAGIC | `conf_file` | a config YAML (workspace file or volume path); empty = the packaged `conf/databricks.yaml` |
# MAGIC | `catalog`, `schema_prefix` | Unity Catalog names of the tables: `<catalog>.<schema_prefix><layer>.<table>`; empty catalog = as in the config |
# MAGIC | `root` | folder (a Unity Catalog volume) for samples, checkpoints, reports and models; empty = as in the config |
# MAGIC | `extra_args` | more CLI options, e.g. `--source crm` or `--generate-sample 2000` |
# MAGIC
# MAGIC Needs the project's wheel and Splink's similarity jar installed on the cluster (the bundle does both).

# COMMAND ----------

dbutils.widgets.text("command", "run", "command")  # noqa: F821 - dbutils is a Databricks notebook global
dbutils.widgets.text("conf_file", "", "conf_file")  # noqa: F821
dbutils.widgets.text("catalog", "", "catalog")  # noqa: F821
dbutils.widgets.text("schema_prefix", "", "schema_prefix")  # noqa: F821
dbutils.widgets.text("root", "", "root")  # noqa: F821
dbutils.widgets.text("extra_args", "", "extra_args")  # noqa: F821
parameters = {name: dbutils.widgets.get(name).strip() for name in ("command", "conf_file", "catalog", "schema_prefix", "root", "extra_args")}  # noqa: F821

# COMMAND ----------

# The job parameters become a small config file layered over the chosen one (`extends:`), so the pipeline reads
# its settings exactly as the CLI does everywhere else.
import shlex
import tempfile
from pathlib import Path

import yaml

from golden_record.jobs.cli import main
from golden_record.lakehouse.config import bundled_config_path

overlay = {"extends": parameters["conf_file"] or str(bundled_config_path("databricks"))}
if parameters["catalog"]:
    overlay["storage"] = {"catalog": parameters["catalog"], "schema_prefix": parameters["schema_prefix"]}
conf_file = Path(tempfile.mkdtemp(prefix="golden-record-")) / "job.yaml"
conf_file.write_text(yaml.safe_dump(overlay), encoding="utf-8")

argv = [parameters["command"], "--conf-file", str(conf_file)]
if parameters["root"]:
    argv += ["--root", parameters["root"]]
argv += shlex.split(parameters["extra_args"])
print("golden-record " + " ".join(shlex.quote(arg) for arg in argv))

# COMMAND ----------

exit_code = main(argv)
if exit_code != 0:
    raise RuntimeError(f"golden-record {parameters['command']} failed with exit code {exit_code}; see the error above")
