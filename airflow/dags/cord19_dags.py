# Generated from Cord19.Core/Pipeline/PipelineDefinition.cs by Cord19.Core/Airflow/DagFiles.cs: do not edit.
# Regenerate with: CORD19_WRITE_DAGS=1 dotnet test --filter DagFileTests
from datetime import datetime, timezone

try:  # Airflow 3: the task SDK and the standard provider (the old paths are deprecated there, to be removed)
    from airflow.sdk import DAG
    from airflow.providers.standard.operators.bash import BashOperator
except ImportError:  # Airflow 2
    from airflow import DAG
    from airflow.operators.bash import BashOperator

PIPELINE = "{{ var.value.get('cord19_pipeline_command', 'cord19-pipeline') }}"
RESULTS = "{{ var.value.get('cord19_results', 's3://cord19-results') }}"

with DAG(
    dag_id="cord19_preprocessing",
    description="CORD-19 pipeline: preprocess",
    start_date=datetime(2020, 3, 13, tzinfo=timezone.utc),  # aware: no Airflow release has to guess its zone
    schedule=None,
    catchup=False,
    params={"scope": "subset", "metadata": "", "settings": ""},
    tags=["cord19"],
):
    preprocess = BashOperator(
        task_id="preprocess",
        bash_command=f"{PIPELINE} preprocess --metadata '{{{{ params.metadata or var.value.get('cord19_metadata', '/opt/cord19/metadata.csv.gz') }}}}' --settings '{{{{ params.settings }}}}' --results {RESULTS}",
        doc_md="preprocess: Filter, clean, tokenise and stem the abstracts into the corpus",
    )

with DAG(
    dag_id="cord19_processing",
    description="CORD-19 pipeline: sample, tfidf, cluster, topics, map, quality, publish",
    start_date=datetime(2020, 3, 13, tzinfo=timezone.utc),  # aware: no Airflow release has to guess its zone
    schedule=None,
    catchup=False,
    params={"scope": "subset", "metadata": "", "settings": ""},
    tags=["cord19"],
):
    process = BashOperator(
        task_id="process",
        bash_command=f"{PIPELINE} process --scope '{{{{ params.scope }}}}' --run-id '{{{{ run_id }}}}' --settings '{{{{ params.settings }}}}' --results {RESULTS}",
        doc_md="sample: Take the documents of this run (a reproducible subset, or all); tfidf: TF-IDF vectors over the most frequent terms; cluster: PCA, then k-means; topics: LDA topics within each cluster; map: 2D document map; quality: Silhouette, topic coherence and map neighbourhood preservation; publish: Write the results (manifest last)",
    )
