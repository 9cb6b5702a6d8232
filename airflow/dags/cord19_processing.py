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
    dag_id="cord19_processing",
    description="CORD-19 pipeline: sample, tfidf, cluster, topics, map, quality, publish",
    start_date=datetime(2020, 3, 13),
    schedule=None,
    catchup=False,
    params={"scope": "subset", "metadata": METADATA},
    tags=["cord19"],
) as dag:
    process = BashOperator(
        task_id="process",
        bash_command=f"{PIPELINE} process --scope '{{{{ params.scope }}}}' --results {RESULTS}",
        doc_md="sample: Take the documents of this run (a reproducible subset, or all); tfidf: TF-IDF vectors over the most frequent terms; cluster: PCA, then k-means; topics: LDA topics within each cluster; map: 2D document map; quality: Silhouette, topic coherence and map neighbourhood preservation; publish: Write the results (manifest last)",
    )
