# Generated from Cord19.Core/Pipeline/PipelineDefinition.cs by Cord19.Core/Airflow/DagFiles.cs: do not edit.
# Regenerate with: dotnet test --filter DagFileTests (the test rewrites the files when CORD19_WRITE_DAGS=1).
from datetime import datetime

from airflow import DAG
from airflow.models import Variable
from airflow.operators.bash import BashOperator

PIPELINE = Variable.get("cord19_pipeline_command", default_var="cord19-pipeline")
RESULTS = Variable.get("cord19_results", default_var="s3://cord19-results")
METADATA = Variable.get("cord19_metadata", default_var="/opt/cord19/metadata.csv.gz")

with DAG(
    dag_id="cord19_preprocessing",
    description="CORD-19 pipeline: preprocess",
    start_date=datetime(2020, 3, 13),
    schedule=None,
    catchup=False,
    params={"scope": "subset", "metadata": METADATA},
    tags=["cord19"],
) as dag:
    preprocess = BashOperator(
        task_id="preprocess",
        bash_command=f"{PIPELINE} preprocess --metadata '{{{{ params.metadata }}}}' --results {RESULTS}",
        doc_md="preprocess: Filter, clean, tokenise and stem the abstracts into the corpus",
    )
